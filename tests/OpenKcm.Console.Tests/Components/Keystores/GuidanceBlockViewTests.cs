using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using OpenKcm.Console.Components.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

public sealed class GuidanceBlockViewTests : ConsoleTestContext
{
    private static readonly GuidanceBlock s_block =
        new("Policy openkcm-policy", "hcl", "path \"transit/encrypt/cmk\" {\n  capabilities = [\"update\"]\n}", "Least privilege.");

    private IRenderedComponent<GuidanceBlockView> RenderBlock() => Render<GuidanceBlockView>(p => p.Add(b => b.Block, s_block));

    [Fact]
    public void GuidanceBlockView_Rendered_ShowsTheContentLabelledByItsTitle()
    {
        var cut = RenderBlock();

        var heading = cut.Find("h3");
        Assert.Equal("Policy openkcm-policy", heading.TextContent);
        Assert.Equal(s_block.Content, cut.Find("pre code").TextContent);
        Assert.Equal(heading.Id, cut.Find("pre").GetAttribute("aria-labelledby"));
        Assert.Equal("Least privilege.", cut.Find("p.hint").TextContent);
        Assert.Equal("Copy Policy openkcm-policy", cut.Find("button").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task GuidanceBlockView_CopyClicked_CopiesTheExactContentThroughJs()
    {
        var copy = JSInterop.Setup<bool>("openKcm.copyText", s_block.Content);
        copy.SetResult(true);
        var cut = RenderBlock();

        await cut.Find("button").ClickAsync(new MouseEventArgs());

        Assert.Equal(s_block.Content, Assert.Single(copy.Invocations).Arguments[0]);
        Assert.Equal("Copied", cut.Find("button .rz-button-text").TextContent);
        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public async Task GuidanceBlockView_BrowserRefusesTheClipboard_SaysToCopyByHand()
    {
        JSInterop.Setup<bool>("openKcm.copyText", s_block.Content).SetException(new JSException("NotAllowedError"));
        var cut = RenderBlock();

        await cut.Find("button").ClickAsync(new MouseEventArgs());

        Assert.Equal("The browser refused clipboard access; select the text and copy it by hand.", cut.Find("[role=alert]").TextContent);
        Assert.Equal("Copy", cut.Find("button .rz-button-text").TextContent);
    }
}

using AngleSharp.Dom;
using Bunit;
using OpenKcm.Console.Components.Admin;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Console.Tests.Identity;

namespace OpenKcm.Console.Tests.Components.Admin;

/// <summary>The display tokens page over the real service and database: create (shown once), list, revoke.</summary>
public sealed class DisplayTokensPageTests : DisplayTokenTestContext
{
    [Fact]
    public async Task Create_NameAndDefaultDays_TokenShownOnceAndListedActiveFor90Days()
    {
        var cut = Render<DisplayTokens>();
        cut.WaitForAssertion(() => Assert.Contains("No display tokens yet.", cut.Find("table[aria-label='Display tokens']").TextContent));

        cut.Find("#token-name").Change("NOC wall 1");
        await cut.Find("form.filter-bar").SubmitAsync();

        var shown = cut.WaitForElement("input[aria-label='New display token']").GetAttribute("value")!;
        Assert.Matches("^okd_[A-Za-z0-9_-]{43}$", shown);
        Assert.NotNull(await Tokens.ValidateAsync(shown, CancellationToken.None));
        var row = RowOf(cut, "NOC wall 1");
        Assert.Equal(
            ["NOC wall 1", AdminName, "2026-11-22 10:00", "2027-02-20 10:00", "never", "Active"],
            row.QuerySelectorAll("td").Take(6).Select(td => td.TextContent.Trim()));

        await cut.Find("button:contains('Done, hide it')").ClickAsync(new());

        Assert.Empty(cut.FindAll("input[aria-label='New display token']"));
        Assert.DoesNotContain(shown, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_ActiveToken_RowSaysRevokedAndTheTokenNoLongerValidates()
    {
        var (created, _) = await Tokens.CreateAsync("lobby", Time.GetUtcNow().AddDays(30), Admin, CancellationToken.None);
        var cut = Render<DisplayTokens>();
        cut.WaitForAssertion(() => RowOf(cut, "lobby"));

        await cut.Find("button[aria-label='Revoke lobby']").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains($"Revoked by {AdminName}", RowOf(cut, "lobby").TextContent));
        Assert.Contains("Revoked lobby", cut.Find("[role=status]").TextContent);
        Assert.Empty(cut.FindAll("button[aria-label='Revoke lobby']"));
        Assert.Null(await Tokens.ValidateAsync(created!.Token, CancellationToken.None));
    }

    [Fact]
    public async Task Create_NoName_AlertAndNothingCreated()
    {
        var cut = Render<DisplayTokens>();

        await cut.Find("form.filter-bar").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Contains("Give the token a name", cut.Find("[role=alert]").TextContent));
        Assert.Empty(cut.FindAll("input[aria-label='New display token']"));
        Assert.Empty(await Tokens.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task List_ExpiredToken_ShownExpiredWithoutRevokeButton()
    {
        await Tokens.CreateAsync("old wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        Time.Advance(TimeSpan.FromDays(2));

        var cut = Render<DisplayTokens>();

        cut.WaitForAssertion(() => Assert.Equal("Expired", RowOf(cut, "old wall").QuerySelectorAll("td")[5].TextContent.Trim()));
        Assert.Empty(cut.FindAll("button[aria-label='Revoke old wall']"));
    }

    private static IElement RowOf(IRenderedComponent<DisplayTokens> cut, string name) =>
        cut.FindAll("table[aria-label='Display tokens'] tbody tr").Single(r => r.QuerySelector("td")?.TextContent.Trim() == name);
}

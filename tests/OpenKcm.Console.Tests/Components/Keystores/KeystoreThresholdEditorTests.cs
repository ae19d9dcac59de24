using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Components.Keystores;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>The threshold editor over the real Core services and database.</summary>
public sealed class KeystoreThresholdEditorTests : ScriptedWizardTestContext
{
    private KeystoreInfo _keystore = null!;

    private KeystoreThresholdService Thresholds => Services.GetRequiredService<KeystoreThresholdService>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _keystore = await CreateDraftAsync();
    }

    [Fact]
    public void Render_NoOverride_EveryInputLabelledWithItsDefaultAndResetDisabled()
    {
        var cut = RenderEditor();

        var labels = cut.FindAll("section.threshold-editor label");
        Assert.Equal(7, labels.Count);
        foreach (var label in labels)
        {
            var input = cut.Find($"#{label.GetAttribute("for")}");
            Assert.Equal("input", input.LocalName);
            Assert.Contains($"{label.GetAttribute("for")}-default", input.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        }

        Assert.Equal("100", Input(cut, "Warning latency (ms)").GetAttribute("value"));
        Assert.Equal("", Input(cut, "Critical latency (ms)").GetAttribute("value"));
        Assert.Contains("Default: 100 ms", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Default: 10 s", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Default: 2 s", cut.Markup, StringComparison.Ordinal);
        Assert.True(Button(cut, "Reset to defaults").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Save_ValidValues_StoredAuditedAndConfirmed()
    {
        var cut = RenderEditor();
        Input(cut, "Warning latency (ms)").Change("45");
        Input(cut, "Critical latency (ms)").Change("90");
        Input(cut, "Probe interval while degraded (s)").Change("1.5");

        await Button(cut, "Save thresholds").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("saved", cut.Find("[role=status]").TextContent, StringComparison.Ordinal));
        var stored = (await Thresholds.GetAsync(_keystore.Id, CancellationToken.None)).Overrides!;
        Assert.Equal(TimeSpan.FromMilliseconds(45), stored.WarningLatency);
        Assert.Equal(TimeSpan.FromMilliseconds(90), stored.CriticalLatency);
        Assert.Equal(TimeSpan.FromSeconds(1.5), stored.DegradedProbeInterval);
        Assert.Null(stored.ProbeInterval);
        var audit = await Services.GetRequiredService<AuditLog>().QueryAsync(
            new AuditQuery { ActionPrefix = AuditActions.KeystoreThresholdsUpdate, Take = 10 }, CancellationToken.None);
        var entry = Assert.Single(audit.Entries);
        Assert.Equal(UserId, entry.ActorId);
        Assert.False(Button(cut, "Reset to defaults").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Save_CriticalNotAboveWarning_ErrorNextToTheFieldAndNothingStored()
    {
        var cut = RenderEditor();
        Input(cut, "Warning latency (ms)").Change("50");
        Input(cut, "Critical latency (ms)").Change("50");

        await Button(cut, "Save thresholds").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("true", Input(cut, "Critical latency (ms)").GetAttribute("aria-invalid")));
        var critical = Input(cut, "Critical latency (ms)");
        Assert.Contains("above the warning latency", cut.Find($"#{critical.Id}-error").TextContent, StringComparison.Ordinal);
        Assert.Equal("false", Input(cut, "Warning latency (ms)").GetAttribute("aria-invalid"));
        Assert.Null((await Thresholds.GetAsync(_keystore.Id, CancellationToken.None)).Overrides);
    }

    [Fact]
    public async Task Save_NotANumber_RejectedInTheFormWithoutCallingCore()
    {
        var cut = RenderEditor();
        Input(cut, "Critical after consecutive failures").Change("2.5");
        Input(cut, "Probe timeout (ms)").Change("soon");
        Input(cut, "Warning latency (ms)").Change("");

        await Button(cut, "Save thresholds").ClickAsync(new());

        Assert.Contains("Enter a whole number.", cut.Find($"#{Input(cut, "Critical after consecutive failures").Id}-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("Enter a number.", cut.Find($"#{Input(cut, "Probe timeout (ms)").Id}-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("Enter a value.", cut.Find($"#{Input(cut, "Warning latency (ms)").Id}-error").TextContent, StringComparison.Ordinal);
        Assert.Equal("Correct the marked fields.", cut.Find("[role=alert].form-alert").TextContent);
        var audit = await Services.GetRequiredService<AuditLog>().QueryAsync(
            new AuditQuery { ActionPrefix = AuditActions.KeystoreThresholdsUpdate, Take = 10 }, CancellationToken.None);
        Assert.Empty(audit.Entries);
    }

    [Fact]
    public async Task Reset_Override_ShowsTheDefaultsAgain()
    {
        await Thresholds.SaveAsync(_keystore.Id, new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(30) }, Actor, CancellationToken.None);
        var cut = RenderEditor();
        Assert.Equal("30", Input(cut, "Warning latency (ms)").GetAttribute("value"));

        await Button(cut, "Reset to defaults").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("100", Input(cut, "Warning latency (ms)").GetAttribute("value")));
        Assert.Contains("reset to the defaults", cut.Find("[role=status]").TextContent, StringComparison.Ordinal);
        Assert.Null((await Thresholds.GetAsync(_keystore.Id, CancellationToken.None)).Overrides);
    }

    [Fact]
    public void PluginConfiguration_ThresholdsButton_OpensTheEditorForThatKeystore()
    {
        var cut = Render<PluginConfiguration>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll($"button[aria-label='Edit health thresholds of {Name}']")));

        cut.Find($"button[aria-label='Edit health thresholds of {Name}']").Click();

        cut.WaitForAssertion(() => Assert.Contains($"Health thresholds of {Name}", cut.Find("section.threshold-editor h2").TextContent, StringComparison.Ordinal));
    }

    private IRenderedComponent<KeystoreThresholdEditor> RenderEditor()
    {
        var cut = Render<KeystoreThresholdEditor>(p => p.Add(e => e.KeystoreId, _keystore.Id).Add(e => e.KeystoreName, _keystore.Name));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("section.threshold-editor label")));
        return cut;
    }

    private static IElement Input<T>(IRenderedComponent<T> cut, string label)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        var element = cut.FindAll("label").Single(l => l.TextContent.Trim().StartsWith(label, StringComparison.Ordinal) &&
            l.TextContent.Trim().Replace(" (optional)", "", StringComparison.Ordinal) == label);
        return cut.Find($"#{element.GetAttribute("for")}");
    }

    private static IElement Button<T>(IRenderedComponent<T> cut, string text)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.FindAll("button").Single(b => b.TextContent.Contains(text, StringComparison.Ordinal));
}

using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using OpenKcm.Sandbox.OpenBao;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Issue 5, "done when": onboard the sandbox's two OpenBao clusters, name the second as the first's backup on Plugin
/// Configuration and verify it holds the same L1 key, register a webhook; then, with the NOC page open, take the
/// primary down: the NOC shows it Critical and failed over, a key operation (Verify L1 key usage of the primary) still
/// succeeds, served by the backup, the failover alert reaches the webhook signed, and the switch is audited; when the
/// primary comes back the NOC shows the failback, without a reload.
/// </summary>
public sealed class FailoverJourneyTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string Primary = "journey_openbao";
    private const string Backup = "journey_openbao_backup";

    private static readonly TimeSpan s_webhookWait = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Administrator_NamesAndVerifiesABackup_OperationsSurviveThePrimaryGoingDown() => RunAsync(async () =>
    {
        await using var receiver = new WebhookReceiver();
        var journey = new KeystoreJourney(Page, App.Context);
        await journey.SignInAsync();
        await OnboardAsync(journey, SandboxKeystores.ImportEntry(App, OpenBaoEmulator.DefaultName, Primary).ToJsonString(), Primary);
        await OnboardAsync(journey, SandboxKeystores.ImportEntry(App, OpenBaoEmulator.BackupName, Backup).ToJsonString(), Backup);

        var keystores = new PluginConfigurationPage(Page);
        await keystores.GotoAsync();
        await keystores.ExpectShownAsync();
        var choice = Page.GetByLabel($"Backup keystore of {Primary}", new() { Exact = true });
        await choice.SelectOptionAsync(new SelectOptionValue { Label = $"{Backup} (Active)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Save backup of {Primary}", Exact = true }).ClickAsync();
        await Expect(keystores.Row(Primary)).ToContainTextAsync("Backup saved.");
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Verify backup of {Primary}", Exact = true }).ClickAsync();
        var verification = Page.GetByRole(AriaRole.Status, new() { Name = $"Backup verification of {Primary}", Exact = true });
        await Expect(verification).ToContainTextAsync(new Regex($"✓ A fresh 256-bit value wrapped by {Primary} v\\d+ was unwrapped by {Backup} v\\d+ to the same value"));

        // Failover is allowed only to a backup verified for the active versions: the editor says it is now.
        await Expect(Page.GetByLabel($"Backup verification state of {Primary}", new() { Exact = true })).ToContainTextAsync("Verified at ");
        await Screenshots.SaveAsync(Page, "failover-1-backup-verified");
        var secret = await CreateWebhookAsync(receiver.Url);

        var nocTab = await App.Context.NewPageAsync();
        var noc = new NocPage(nocTab);
        await noc.GotoAsync();
        await noc.ExpectShownAsync();
        await nocTab.SetViewportSizeAsync(1920, 1080);
        await Expect(noc.StatusOf(Primary)).ToHaveAttributeAsync("aria-label", $"{Primary} status: Healthy", E2ETimeouts.UntilHealthy);
        await Expect(noc.Tile(Backup)).ToContainTextAsync($"Backup for {Primary}");
        await nocTab.EvaluateAsync("window.__noReloadMarker = 1");

        await keystores.GotoAsync();
        await keystores.ExpectShownAsync();
        var primaryEmulator = SandboxKeystores.Host(App).OpenBao;
        await primaryEmulator.Faults.SetDownAsync(true);
        try
        {
            await Expect(noc.StatusOf(Primary)).ToHaveAttributeAsync("aria-label", $"{Primary} status: Critical");
            await Expect(noc.Tile(Primary)).ToContainTextAsync($"On backup {Backup}");
            await Screenshots.SaveAsync(nocTab, "failover-2-noc-primary-critical-on-backup");

            var failover = await receiver.WaitForAsync(
                json => (string?)json["alert"]?["type"] == "failover" && (string?)json["alert"]?["keystore"]?["name"] == Primary, s_webhookWait);
            Assert.Equal("POST", failover.Method);
            Assert.True(WebhookReceiver.SignatureIsValid(failover, secret), "The failover alert's X-OpenKCM-Signature does not verify with the webhook's secret.");
            Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(failover.Body), StringComparison.Ordinal);

            await Page.GetByRole(AriaRole.Button, new() { Name = $"Verify L1 key usage of {Primary}", Exact = true }).ClickAsync();
            await Expect(Page.GetByRole(AriaRole.Status, new() { Name = $"L1 verification of {Primary}", Exact = true }))
                .ToContainTextAsync($"✓ A fresh 256-bit tenant key was wrapped under the L1 key of {Primary}");
            await Screenshots.SaveAsync(Page, "failover-2-primary-down-operation-served-by-backup");

            var audit = new AuditPage(Page);
            await new ConsoleShell(Page).NavLink("Audit log").ClickAsync();
            await audit.ExpectShownAsync();
            await audit.ActionFilter.FillAsync("keystore.failover");
            await audit.ApplyFiltersButton.ClickAsync();
            await Expect(audit.Entries("keystore.failover")).ToHaveCountAsync(1);
            await Screenshots.SaveAsync(Page, "failover-3-audited");

            await primaryEmulator.Faults.SetDownAsync(false);
            await Expect(noc.Tile(Primary)).Not.ToContainTextAsync("On backup", new() { Timeout = 60_000 });
            await Expect(noc.StatusOf(Primary)).ToHaveAttributeAsync("aria-label", $"{Primary} status: Healthy", E2ETimeouts.UntilHealthy);
            var failback = await receiver.WaitForAsync(
                json => (string?)json["alert"]?["type"] == "failback" && (string?)json["alert"]?["keystore"]?["name"] == Primary, s_webhookWait);
            Assert.True(WebhookReceiver.SignatureIsValid(failback, secret));
            Assert.Equal(1, await nocTab.EvaluateAsync<int?>("window.__noReloadMarker"));
            await Screenshots.SaveAsync(nocTab, "failover-4-noc-failed-back");
        }
        finally
        {
            await primaryEmulator.Faults.SetDownAsync(false);
        }

        AssertNoBrowserErrors();
    });

    /// <summary>Registers a webhook on /admin/webhooks and returns its signing secret, which the page shows once.</summary>
    private async Task<string> CreateWebhookAsync(Uri url)
    {
        await Page.GotoAsync("admin/webhooks");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("noc-pager");
        await Page.GetByLabel("Endpoint URL", new() { Exact = true }).FillAsync(url.ToString());
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook", Exact = true }).ClickAsync();
        var secretField = Page.GetByLabel("Signing secret", new() { Exact = true });
        await Expect(secretField).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));
        var secret = await secretField.InputValueAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "I have stored it", Exact = true }).ClickAsync();
        await Expect(secretField).ToBeHiddenAsync();
        return secret;
    }

    private static async Task OnboardAsync(KeystoreJourney journey, string json, string name)
    {
        await journey.OpenConfigurationAsync("OpenBao");
        await journey.Wizard.ImportAsync(json);
        await journey.SaveConfigurationAsync();
        await journey.RunTestConnectionAsync();
        await Expect(journey.Wizard.TestOutcome).ToHaveTextAsync("All checks passed. This version can be activated.");
        await journey.ActivateAsync(name);
    }
}

using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using OpenKcm.Sandbox.OpenBao;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Issue 5, failover: onboard the sandbox's two OpenBao clusters, name the second as the first's backup on Plugin
/// Configuration, verify it holds the same L1 key, then take the primary down and see a key operation (Verify L1 key
/// usage of the primary) still succeed, served by the backup.
/// </summary>
public sealed class FailoverJourneyTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string Primary = "journey_openbao";
    private const string Backup = "journey_openbao_backup";

    [Fact]
    public Task Administrator_NamesAndVerifiesABackup_OperationsSurviveThePrimaryGoingDown() => RunAsync(async () =>
    {
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
        await Expect(verification).ToContainTextAsync($"✓ A fresh 256-bit value wrapped by {Primary} was unwrapped by {Backup} to the same value");
        await Screenshots.SaveAsync(Page, "failover-1-backup-verified");

        var primaryEmulator = SandboxKeystores.Host(App).OpenBao;
        await primaryEmulator.Faults.SetDownAsync(true);
        try
        {
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
        }
        finally
        {
            await primaryEmulator.Faults.SetDownAsync(false);
        }

        AssertNoBrowserErrors();
    });

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

using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenKcm.Console.Sandbox;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// An operator's open dashboard and open NOC page follow sandbox faults injected through the sandbox's HTTP control
/// endpoint (added latency → Warning, outage → Critical, reset → Healthy) without a reload; the NOC page shows "stale
/// since" while its connection is lost and recovers by itself.
/// </summary>
public sealed class LiveHealthTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string KeystoreName = "live_openbao";
    private const string OperatorEmail = "wall@openkcm.test";
    private const string OperatorPassword = "Operator-Pass-42";

    /// <summary>
    /// Warning needs the one-minute average latency above OpenBao's 250 ms budget, which takes several slow probes
    /// (one a second in e2e) to outweigh the fast ones; Healthy again needs the slow ones out of the window. A limit,
    /// not a delay.
    /// </summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions s_slowTransition = new() { Timeout = 90_000 };

    [Fact]
    public Task OperatorsDashboardAndNoc_LatencyThenOutageThenReset_FollowWarningCriticalHealthyWithoutReload() => RunAsync(async () =>
    {
        await ArrangeOperatorAndKeystoreAsync();
        await using var context = await NewOperatorContextAsync();
        var dashboardTab = await context.NewPageAsync();
        var nocTab = await context.NewPageAsync();
        var dashboard = new DashboardPage(dashboardTab);
        var noc = new NocPage(nocTab);
        try
        {
            await new SignInPage(dashboardTab).GotoAsync();
            await new SignInPage(dashboardTab).SignInAsync(OperatorEmail, OperatorPassword);
            await dashboard.ExpectShownAsync();
            await noc.GotoAsync();
            await noc.ExpectShownAsync();
            await nocTab.SetViewportSizeAsync(1920, 1080);
            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await MarkDocumentsAsync(dashboardTab, nocTab);

            await ControlAsync(HttpMethod.Put, "openbao", new { latency_ms = 1000 });
            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Warning", s_slowTransition);
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Warning");
            await Screenshots.SaveAsync(dashboardTab, "noc-lane-dashboard-warning");

            await ControlAsync(HttpMethod.Put, "openbao", new { latency_ms = 0, down = true });
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Critical");
            await Expect(noc.LatestCritical).ToContainTextAsync(new Regex($"{KeystoreName}.*refused", RegexOptions.Singleline));
            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Critical");
            await Expect(dashboard.Tile(KeystoreName)).ToContainTextAsync(new Regex("Error.*refused", RegexOptions.Singleline));
            await Screenshots.SaveAsync(nocTab, "noc-lane-noc-critical");
            await Screenshots.SaveAsync(dashboardTab, "noc-lane-dashboard-critical");

            // Back to Warning first, then Healthy once the slow samples have left the one-minute window.
            await ControlAsync(HttpMethod.Post, "openbao/reset", null);
            await Expect(noc.LatestCritical).ToBeHiddenAsync();
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", s_slowTransition);
            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await ExpectSameDocumentsAsync(dashboardTab, nocTab);
        }
        catch (Exception failure)
        {
            await FailureArtifacts.SaveAsync($"{nameof(LiveHealthTests)}.noc", nocTab, failure, [], App.ServerLogs);
            throw;
        }
        finally
        {
            await ResetSandboxAsync();
        }

        AssertNoBrowserErrors();
    });

    [Fact]
    public Task OperatorsNoc_ConnectionLostThenBack_ShowsStaleSinceThenRecoversAndFollowsChangesWithoutReload() => RunAsync(async () =>
    {
        await ArrangeOperatorAndKeystoreAsync();
        await using var context = await NewOperatorContextAsync();
        var nocTab = await context.NewPageAsync();
        var noc = new NocPage(nocTab);
        try
        {
            await new SignInPage(nocTab).GotoAsync();
            await new SignInPage(nocTab).SignInAsync(OperatorEmail, OperatorPassword);
            await new DashboardPage(nocTab).ExpectShownAsync();
            await noc.GotoAsync();
            await noc.ExpectShownAsync();
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await MarkDocumentsAsync(nocTab);

            // The browser loses the network, then its connection to the console drops: no new connection can be made
            // until the network is back, as after a cable pull or a console restart.
            await context.SetOfflineAsync(true);
            await nocTab.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
            await Expect(noc.ConnectionLost).ToBeVisibleAsync();
            await Expect(noc.ConnectionLost).ToHaveTextAsync(new Regex(@"^Stale since \d\d:\d\d:\d\d UTC: the connection to the console was lost\. Reconnecting…$"));

            await context.SetOfflineAsync(false);
            await Expect(noc.ConnectionLost).ToBeHiddenAsync();
            await ControlAsync(HttpMethod.Put, "openbao", new { down = true });
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Critical");
            await ControlAsync(HttpMethod.Post, "openbao/reset", null);
            await Expect(noc.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await ExpectSameDocumentsAsync(nocTab);
        }
        catch (Exception failure)
        {
            await FailureArtifacts.SaveAsync($"{nameof(LiveHealthTests)}.noc-stale", nocTab, failure, [], App.ServerLogs);
            throw;
        }
        finally
        {
            await context.SetOfflineAsync(false);
            await ResetSandboxAsync();
        }
    });

    /// <summary>Once per fixture: the administrator creates the operator and activates the sandbox OpenBao.</summary>
    private async Task ArrangeOperatorAndKeystoreAsync()
    {
        await App.Context.ClearCookiesAsync();
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        var dashboard = new DashboardPage(Page);
        await dashboard.ExpectShownAsync();
        if (await dashboard.Tile(KeystoreName).CountAsync() > 0)
        {
            return;
        }

        var users = new UsersPage(Page);
        await users.GotoAsync();
        await users.ExpectShownAsync();
        await users.CreateUserAsync(OperatorEmail, OperatorPassword, "Operator");
        await Expect(users.Message).ToHaveTextAsync($"Created {OperatorEmail}.");

        var wizard = new KeystoreWizardPage(Page);
        await wizard.GotoAsync();
        await wizard.ExpectShownAsync();
        await wizard.ChooseTypeAsync("OpenBao");
        await wizard.ForwardButton().ClickAsync();
        await wizard.ImportAsync(SandboxOpenBao.Seed(App, KeystoreName).ToJsonString());
        await wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await wizard.ForwardButton().ClickAsync();
        await wizard.RunTestButton.ClickAsync();
        await Expect(wizard.TestSummary).ToContainTextAsync("All checks passed");
        await wizard.ForwardButton("Continue to activation").ClickAsync();
        await wizard.ActivateButton.ClickAsync();
        await Expect(wizard.ActivationConfirmation).ToContainTextAsync($"{KeystoreName} is active for its tenant");
    }

    private async Task<IBrowserContext> NewOperatorContextAsync()
    {
        var context = await App.Context.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)E2ETimeouts.Action.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)E2ETimeouts.Navigation.TotalMilliseconds);
        return context;
    }

    /// <summary>Sends a request to the sandbox's control endpoint, as an operator's script would.</summary>
    private async Task ControlAsync(HttpMethod method, string path, object? body)
    {
        var controlUrl = App.Services.GetRequiredService<SandboxHostedService>().Host?.ControlUrl
            ?? throw new InvalidOperationException("The sandbox is not running.");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(controlUrl, path)) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task ResetSandboxAsync() => await SandboxOpenBao.Emulator(App).Faults.ResetAsync();

    // Survives only as long as each document does: a reload or a full navigation would drop it.
    private static async Task MarkDocumentsAsync(params IPage[] pages)
    {
        foreach (var page in pages)
        {
            await page.EvaluateAsync("window.__noReloadMarker = 1");
        }
    }

    private static async Task ExpectSameDocumentsAsync(params IPage[] pages)
    {
        foreach (var page in pages)
        {
            Assert.Equal(1, await page.EvaluateAsync<int?>("window.__noReloadMarker"));
        }
    }
}

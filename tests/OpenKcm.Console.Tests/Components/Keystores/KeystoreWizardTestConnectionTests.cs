using Bunit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// Test Connection and Activate, with the plugin's checks released one by one by the test through
/// <see cref="ScriptedKeystorePlugin.Results"/>.
/// </summary>
public sealed class KeystoreWizardTestConnectionTests : ScriptedWizardTestContext
{
    private static readonly CheckResult s_authenticationRejected =
        new("authenticate", CheckOutcome.Failed, TimeSpan.FromMilliseconds(48), "The API key was rejected (HTTP 401).", "Create a new API key and save it.")
        {
            ErrorKind = KeystoreErrorKind.AuthenticationFailed,
        };

    private async Task<Guid> KeystoreIdAsync() => Assert.Single(await Keystores.ListAsync(null, CancellationToken.None)).Id;

    private static void WaitForChecks(KeystoreWizardPage page, params string[] expected) =>
        page.Component.WaitForAssertion(() => Assert.Equal(expected, page.Checks));

    [Fact]
    public async Task TestStep_NothingRunYet_ListsTheChecksPendingWithWhatTheyProve()
    {
        var page = await OpenTestStepAsync();

        Assert.Equal(["Reach: Pending", "Authenticate: Pending", "Wrap: Pending"], page.Checks);
        Assert.Equal("The endpoint answers.", page.CheckRow("Reach").QuerySelector(".check-detail")!.TextContent);
        Assert.Null(page.TestSummary);
    }

    [Fact]
    public async Task TestConnection_ChecksCompleteOneByOne_ShowsEachAsItCompletes()
    {
        var page = await OpenTestStepAsync();

        var run = page.ClickAsync("Run Test Connection");

        WaitForChecks(page, "Reach: Running", "Authenticate: Pending", "Wrap: Pending");
        Assert.True(page.Button("Testing…").HasAttribute("disabled"));
        Assert.True(page.Button("Continue to activation").HasAttribute("disabled"));
        Assert.True(page.HasButton("Cancel"));

        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach", 12));
        WaitForChecks(page, "Reach: Passed", "Authenticate: Running", "Wrap: Pending");
        Assert.Equal("12 ms", page.CheckRow("Reach").QuerySelector(".check-duration")!.TextContent);
        Assert.Equal("reach ok.", page.CheckRow("Reach").QuerySelector(".check-detail")!.TextContent);
        Assert.Equal("", page.CheckRow("Authenticate").QuerySelector(".check-duration")!.TextContent);
        Assert.Contains("check-running", page.CheckRow("Authenticate").ClassList);

        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("authenticate", 31));
        WaitForChecks(page, "Reach: Passed", "Authenticate: Passed", "Wrap: Running");
        Assert.Null(page.TestSummary);

        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("wrap", 7));
        await run;

        Assert.Equal(["Reach: Passed", "Authenticate: Passed", "Wrap: Passed"], page.Checks);
        Assert.Equal(["12 ms", "31 ms", "7 ms"], page.Component.FindAll(".check-duration").Select(d => d.TextContent));
        Assert.Equal("All checks passed. This version can be activated.", page.TestSummary);
        Assert.True(page.HasButton("Run Test Connection"));
        var version = await CurrentVersionAsync(await KeystoreIdAsync());
        Assert.Equal(KeystoreTestOutcome.Passed, version.TestOutcome);
        Assert.Equal(KeystoreState.Tested, (await Keystores.GetAsync(version.KeystoreId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task TestConnection_CheckFails_ShowsItsCauseAndRemedyAndSkipsTheRest()
    {
        var page = await OpenTestStepAsync();
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach"));
        await Plugin.Results.Writer.WriteAsync(s_authenticationRejected);

        await page.ClickAsync("Run Test Connection");

        Assert.Equal(["Reach: Passed", "Authenticate: Failed", "Wrap: Skipped"], page.Checks);
        var failed = page.CheckRow("Authenticate");
        Assert.Contains("check-failed", failed.ClassList);
        Assert.Equal("The API key was rejected (HTTP 401).", failed.QuerySelector(".check-detail")!.TextContent);
        Assert.Equal("What to do: Create a new API key and save it.", failed.QuerySelector(".check-remedy")!.TextContent);
        Assert.Equal("48 ms", failed.QuerySelector(".check-duration")!.TextContent);
        Assert.Equal("", page.CheckRow("Wrap").QuerySelector(".check-duration")!.TextContent); // never ran: no duration
        Assert.Equal("Test failed at “Authenticate”. Fix the cause and run the test again.", page.TestSummary);
        Assert.Contains("test-summary-failed", page.Component.Find("section[aria-labelledby=step-test] [role=status]").ClassList);
        Assert.Equal(KeystoreTestOutcome.Failed, (await CurrentVersionAsync(await KeystoreIdAsync())).TestOutcome);
    }

    [Fact]
    public async Task ActivateStep_TestFailed_RefusesToBeReachedAndNothingIsActivated()
    {
        var page = await OpenTestStepAsync();
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach"));
        await Plugin.Results.Writer.WriteAsync(s_authenticationRejected);
        await page.ClickAsync("Run Test Connection");

        await page.NextAsync();

        Assert.Equal("Test Connection", page.CurrentStep);
        Assert.Equal("Run Test Connection until every check passes before activating.", page.StepError);
        Assert.False(page.HasButton("Activate"));
        var keystore = Assert.Single(await Keystores.ListAsync(null, CancellationToken.None));
        Assert.Equal((KeystoreState.Draft, (int?)null), (keystore.State, keystore.ActiveVersion));
    }

    [Fact]
    public async Task ActivateStep_NeverTested_RefusesToBeReached()
    {
        var page = await OpenTestStepAsync();

        await page.NextAsync();

        Assert.Equal("Test Connection", page.CurrentStep);
        Assert.Equal("Run Test Connection until every check passes before activating.", page.StepError);
    }

    [Fact]
    public async Task TestConnection_FailedThenFixedAndRerun_ReplacesTheResultsAndAllowsActivation()
    {
        var page = await OpenTestStepAsync();
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach"));
        await Plugin.Results.Writer.WriteAsync(s_authenticationRejected);
        await page.ClickAsync("Run Test Connection");

        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");
        await page.NextAsync();

        Assert.Null(page.StepError);
        Assert.Equal("Activate", page.CurrentStep);
        Assert.True(page.HasButton("Activate"));
    }

    [Fact]
    public async Task Activate_TestPassed_ActivatesAndShowsTheActivationResultJson()
    {
        var page = await OpenTestStepAsync();
        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");
        await page.NextAsync();
        Assert.Equal("Activate", page.CurrentStep);
        Assert.Contains("Configuration version 1 passed Test Connection.", page.Component.Find("section[aria-labelledby=step-activate] p").TextContent);

        await page.ClickAsync("Activate");

        var result = page.Component.Find("pre[aria-label='Activation result']").TextContent;
        Assert.Equal(
            """
            {
              "plugin_status": "active",
              "plugin_type": "scripted_kms",
              "region": "eu-west-1"
            }
            """.ReplaceLineEndings("\n"),
            result.ReplaceLineEndings("\n"));
        Assert.Equal($"{Name} is active for its tenant (configuration version 1).", page.Component.Find("section[aria-labelledby=step-activate] [role=status]").TextContent.Trim());
        Assert.False(page.HasButton("Activate"));
        Assert.Empty(page.Component.FindAll(".form-alert"));
        var keystore = Assert.Single(await Keystores.ListAsync(null, CancellationToken.None));
        Assert.Equal((KeystoreState.Active, (int?)1), (keystore.State, keystore.ActiveVersion));
    }

    [Fact]
    public async Task TestConnection_CheckWarns_ShowsTheRemedyAndStillAllowsActivation()
    {
        var page = await OpenTestStepAsync();
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach"));
        await Plugin.Results.Writer.WriteAsync(new CheckResult("authenticate", CheckOutcome.Warning, TimeSpan.FromMilliseconds(20),
            "The API key expires in 3 days.", "Rotate the API key."));
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("wrap"));

        await page.ClickAsync("Run Test Connection");

        Assert.Equal(["Reach: Passed", "Authenticate: Warning", "Wrap: Passed"], page.Checks);
        Assert.Equal("What to do: Rotate the API key.", page.CheckRow("Authenticate").QuerySelector(".check-remedy")!.TextContent);
        Assert.Equal("All checks passed, with warnings. This version can be activated.", page.TestSummary);
        Assert.Equal(KeystoreTestOutcome.PassedWithWarnings, (await CurrentVersionAsync(await KeystoreIdAsync())).TestOutcome);
        await page.NextAsync();
        Assert.True(page.HasButton("Activate"));
    }

    [Fact]
    public async Task Activate_ResultCannotBeRead_SaysTheKeystoreIsActiveButTheResultFailed()
    {
        Plugin.DescribeFailure = new KeystoreException(KeystoreErrorKind.Unreachable, "Connection refused by kms.example.test:443.");
        var page = await OpenTestStepAsync();
        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");
        await page.NextAsync();

        await page.ClickAsync("Activate");

        Assert.Equal($"{Name} is active, but reading its activation result from the keystore failed: Connection refused by kms.example.test:443.",
            page.Component.Find("section[aria-labelledby=step-activate] .form-alert[role=alert]").TextContent);
        Assert.Empty(page.Component.FindAll("pre[aria-label='Activation result']"));
        Assert.Contains("is active for its tenant", page.Component.Find("section[aria-labelledby=step-activate] [role=status]").TextContent);
        Assert.False(page.HasButton("Activate"));
        Assert.Equal(KeystoreState.Active, Assert.Single(await Keystores.ListAsync(null, CancellationToken.None)).State);
    }

    [Fact]
    public async Task TestConnection_CancelClicked_StopsTheRunAndRecordsNothing()
    {
        var page = await OpenTestStepAsync();
        var run = page.ClickAsync("Run Test Connection");
        await Plugin.Results.Writer.WriteAsync(ScriptedKeystorePlugin.Passed("reach"));
        WaitForChecks(page, "Reach: Passed", "Authenticate: Running", "Wrap: Pending");

        await page.ClickAsync("Cancel");
        await run;

        Assert.True(Plugin.TestCancelled.Task.IsCompleted);
        Assert.Equal("Test cancelled.", page.TestSummary);
        Assert.Equal(["Reach: Passed", "Authenticate: Pending", "Wrap: Pending"], page.Checks);
        Assert.False(page.HasButton("Cancel"));
        Assert.Null((await CurrentVersionAsync(await KeystoreIdAsync())).TestOutcome);
    }

    [Fact]
    public async Task TestConnection_ComponentDisposedWhileRunning_CancelsTheTestWithoutAnError()
    {
        var page = await OpenTestStepAsync();
        var run = page.ClickAsync("Run Test Connection");
        WaitForChecks(page, "Reach: Running", "Authenticate: Pending", "Wrap: Pending");

        await DisposeComponentsAsync();

        await Plugin.TestCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        AssertNothingEscaped();
        Assert.Null((await CurrentVersionAsync(await KeystoreIdAsync())).TestOutcome);
    }
}

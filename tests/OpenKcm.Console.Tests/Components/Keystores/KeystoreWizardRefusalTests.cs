using Bunit;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// Refusals the keystore service throws (<c>KeystoreCommandException</c>) when the keystore changed behind the wizard's
/// back, e.g. another administrator retired it: the wizard must show them, not let them escape the event handler
/// (in Blazor Server an unhandled exception there ends the circuit).
/// </summary>
public sealed class KeystoreWizardRefusalTests : ScriptedWizardTestContext
{
    private async Task<Guid> RetireTheOnlyKeystoreAsync()
    {
        var keystore = Assert.Single(await Keystores.ListAsync(null, CancellationToken.None));
        await Keystores.RetireAsync(keystore.Id, Actor, CancellationToken.None);
        return keystore.Id;
    }

    [Fact]
    public async Task Save_KeystoreRetiredMeanwhile_ShowsTheRefusalInsteadOfThrowing()
    {
        var page = await SaveValidDraftAsync();
        await page.BackAsync();
        await RetireTheOnlyKeystoreAsync();
        await page.FillAsync("region", "eu-central-1");

        await page.NextAsync();

        AssertNothingEscaped();
        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Contains("retired", page.StepError);
    }

    [Fact]
    public async Task TestConnection_KeystoreRetiredMeanwhile_ShowsTheRefusalInsteadOfThrowing()
    {
        var page = await OpenTestStepAsync();
        await RetireTheOnlyKeystoreAsync();
        Plugin.PassAll();

        await page.ClickAsync("Run Test Connection");

        AssertNothingEscaped();
        Assert.Contains("retired", page.StepError);
        Assert.True(page.HasButton("Run Test Connection"));
    }
}

using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// The wizard with one registered plugin, a <see cref="ScriptedKeystorePlugin"/> whose Test Connection the test drives,
/// and shortcuts to the step a test is about.
/// </summary>
public abstract class ScriptedWizardTestContext : KeystoreWizardTestContext
{
    public const string Name = "primary_kms";
    public const string Region = "eu-west-1";

    /// <summary>A value no markup may ever contain once it was saved.</summary>
    public const string ApiKey = "api-key-9f2c71d4e8b3";

    private protected ScriptedWizardTestContext()
    {
        Services.AddSingleton<IKeystorePlugin>(Plugin);
    }

    private protected ScriptedKeystorePlugin Plugin { get; } = new();

    /// <summary>New wizard, type already chosen (the only plugin), on the Configuration step.</summary>
    private protected async Task<KeystoreWizardPage> OpenConfigurationStepAsync()
    {
        var page = RenderNewWizard();
        await page.NextAsync();
        Assert.Equal("Configuration", page.CurrentStep);
        return page;
    }

    /// <summary>New wizard with a valid configuration saved as a draft, on the Permissions step.</summary>
    private protected async Task<KeystoreWizardPage> SaveValidDraftAsync()
    {
        var page = await OpenConfigurationStepAsync();
        await page.FillValidConfigurationAsync(Name, Region, ApiKey);
        await page.NextAsync();
        Assert.Equal("Permissions", page.CurrentStep);
        return page;
    }

    /// <summary>New wizard with a saved draft, on the Test Connection step, nothing run yet.</summary>
    private protected async Task<KeystoreWizardPage> OpenTestStepAsync()
    {
        var page = await SaveValidDraftAsync();
        await page.NextAsync();
        Assert.Equal("Test Connection", page.CurrentStep);
        return page;
    }

    /// <summary>Creates a draft straight through <see cref="KeystoreService"/>, as an earlier session would have.</summary>
    private protected async Task<KeystoreInfo> CreateDraftAsync(string name = Name, string region = Region, string endpoint = "https://kms.eu.example.test")
    {
        using var apiKey = new SecretValue(ApiKey);
        var created = await Keystores.CreateDraftAsync(new KeystoreDraft
        {
            TenantId = DefaultTenant.Id,
            Kind = Plugin.Descriptor.Kind,
            Name = name,
            Settings = new KeystoreSettings(ImmutableDictionary<string, string>.Empty.Add("region", region).Add("endpoint", endpoint).Add("tier", "premium")),
            Secrets = ImmutableDictionary<string, SecretValue>.Empty.Add("api_key", apiKey),
        }, Actor, CancellationToken.None);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
        return created.Value;
    }

    private protected async Task<KeystoreVersionInfo> CurrentVersionAsync(Guid keystoreId)
    {
        var keystore = await Keystores.GetAsync(keystoreId, CancellationToken.None);
        return (await Keystores.GetVersionAsync(keystoreId, keystore!.CurrentVersion, CancellationToken.None))!;
    }
}

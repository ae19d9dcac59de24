using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Components.Keystores;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// The "Backup keystore" choice on the Plugin Configuration page, over the real keystore service, verifier and audit
/// log; the keystores come from the scripted plugin (its wrap and unwrap are the identity, so two keystores of it hold
/// "the same L1").
/// </summary>
public sealed class BackupKeystoreEditorTests : ScriptedWizardTestContext
{
    public BackupKeystoreEditorTests()
    {
        Services.AddSingleton<BackupVerifier>();
        Services.AddSingleton<IKeystorePlugin>(new ScriptedKeystorePlugin("other_kms", "Other KMS"));
    }

    [Fact]
    public async Task Choose_Save_Verify_ShowsResultAndAudits()
    {
        var primary = await CreateActiveAsync("primary_kms");
        var backup = await CreateActiveAsync("backup_kms");
        await CreateOtherKindAsync("other_kind_kms");
        var cut = Render<PluginConfiguration>();
        var select = WaitForSelect(cut, "primary_kms");

        Assert.Equal(["None", "backup_kms (Active)"], select.QuerySelectorAll("option").Select(o => o.TextContent));
        Assert.True(VerifyButton(cut, "primary_kms").HasAttribute("disabled"), "nothing to verify before a backup is saved");

        select.Change(backup.Id.ToString());
        await cut.Find("[aria-label='Save backup of primary_kms']").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(backup.Id, Keystores.GetAsync(primary.Id, CancellationToken.None).Result!.BackupKeystoreId));
        cut.WaitForAssertion(() => Assert.False(VerifyButton(cut, "primary_kms").HasAttribute("disabled")));
        cut.WaitForAssertion(() => Assert.Equal("Not verified: failover to it is off until Verify backup succeeds.",
            cut.Find("[aria-label='Backup verification state of primary_kms']").TextContent.Trim()));
        await VerifyButton(cut, "primary_kms").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.StartsWith(
            "✓ A fresh 256-bit value wrapped by primary_kms v1 was unwrapped by backup_kms v1 to the same value",
            cut.Find("[aria-label='Backup verification of primary_kms']").TextContent.Trim(), StringComparison.Ordinal));
        var verified = (await Keystores.GetAsync(primary.Id, CancellationToken.None))!;
        Assert.True(verified.BackupVerified);
        cut.WaitForAssertion(() => Assert.Equal(
            $"Verified at {verified.BackupVerification!.VerifiedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (v1 → v1).",
            cut.Find("[aria-label='Backup verification state of primary_kms']").TextContent.Trim()));
        var audit = Services.GetRequiredService<AuditLog>();
        var entries = await audit.QueryAsync(new AuditQuery { ActionPrefix = AuditActions.KeystoreVerifyBackup }, CancellationToken.None);
        Assert.Equal(AuditOutcome.Success, Assert.Single(entries.Entries).Outcome);
    }

    [Fact]
    public async Task SaveRefused_ShowsTheReasonNextToTheField_AndKeepsTheChoice()
    {
        var primary = await CreateActiveAsync("primary_kms");
        var backup = await CreateActiveAsync("backup_kms");
        var cut = Render<PluginConfiguration>();
        var select = WaitForSelect(cut, "primary_kms");
        select.Change(backup.Id.ToString());

        // Retired by someone else between loading the page and saving.
        await Keystores.RetireAsync(backup.Id, Actor, CancellationToken.None);
        await cut.Find("[aria-label='Save backup of primary_kms']").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("it is retired", cut.Find(".backup-editor [role='alert']").TextContent, StringComparison.Ordinal));
        Assert.Equal("true", cut.Find("[aria-label='Backup keystore of primary_kms']").GetAttribute("aria-invalid"));
        Assert.Null((await Keystores.GetAsync(primary.Id, CancellationToken.None))!.BackupKeystoreId);
    }

    [Fact]
    public async Task VerifyWithBackupNotActive_SaysSo()
    {
        var primary = await CreateActiveAsync("primary_kms");
        var backup = await CreateActiveAsync("backup_kms");
        await Keystores.SetBackupAsync(primary.Id, backup.Id, Actor, CancellationToken.None);
        await Keystores.SuspendAsync(backup.Id, Actor, CancellationToken.None);
        var cut = Render<PluginConfiguration>();
        WaitForSelect(cut, "primary_kms");

        await VerifyButton(cut, "primary_kms").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(
            "✗ backup_kms is not active; both keystores must be active to verify the backup.",
            cut.Find("[aria-label='Backup verification of primary_kms']").TextContent.Trim()));
    }

    private static AngleSharp.Dom.IElement WaitForSelect(IRenderedComponent<PluginConfiguration> cut, string name)
    {
        cut.WaitForAssertion(() => cut.Find($"[aria-label='Backup keystore of {name}']"));
        var select = cut.Find($"[aria-label='Backup keystore of {name}']");
        var label = cut.Find($"label[for='{select.Id}']");
        Assert.Equal("Backup keystore", label.TextContent);
        return select;
    }

    private static AngleSharp.Dom.IElement VerifyButton(IRenderedComponent<PluginConfiguration> cut, string name) =>
        cut.Find($"[aria-label='Verify backup of {name}']");

    private async Task<KeystoreInfo> CreateActiveAsync(string name)
    {
        var draft = await CreateDraftAsync(name);
        await Keystores.RecordTestAsync(draft.Id, 1, [ScriptedKeystorePlugin.Passed("wrap")], Actor, CancellationToken.None);
        return await Keystores.ActivateAsync(draft.Id, 1, Actor, CancellationToken.None);
    }

    private async Task CreateOtherKindAsync(string name)
    {
        using var apiKey = new OpenKcm.Core.Vault.SecretValue(ApiKey);
        var created = await Keystores.CreateDraftAsync(new KeystoreDraft
        {
            TenantId = DefaultTenant.Id,
            Kind = "other_kms",
            Name = name,
            Settings = new KeystoreSettings(System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
                .Add("region", Region).Add("endpoint", "https://kms.eu.example.test").Add("tier", "premium")),
            Secrets = System.Collections.Immutable.ImmutableDictionary<string, OpenKcm.Core.Vault.SecretValue>.Empty.Add("api_key", apiKey),
        }, Actor, CancellationToken.None);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
    }
}

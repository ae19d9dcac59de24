using System.Collections.Immutable;
using System.Text.Json;
using OpenKcm.Console.Components.Keystores.Model;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Vault;

namespace OpenKcm.Console.Keystores;

/// <summary>
/// What the Add New Keystore wizard asks of the domain: load a draft to resume, save the configuration step as a
/// draft version, parse an import, stream Test Connection, activate. Translates between the wizard's view model and
/// <see cref="KeystoreService"/>; holds no state. Scoped.
/// </summary>
public sealed class KeystoreSetupService(
    KeystoreService keystores, TenantService tenants, PluginRegistry registry, ILogger<KeystoreSetupService> logger)
{
    /// <summary>The activation's outcome: the seed-shaped result JSON, or why it did not happen.</summary>
    public sealed record ActivationOutcome(bool Activated, string? ResultJson, string? Error);

    // Relaxed escaping: the JSON is shown as text (Blazor encodes it for HTML), so "+00:00" need not read "\u002B00:00".
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken) => tenants.ListAsync(cancellationToken);

    /// <summary>
    /// Fills <paramref name="model"/> from a saved keystore's current version. Returns the step to resume at
    /// (permissions when untested, activation when the version passed), or null when the keystore does not exist.
    /// </summary>
    public async Task<int?> LoadDraftAsync(Guid keystoreId, KeystoreWizardModel model, CancellationToken cancellationToken)
    {
        var keystore = await keystores.GetAsync(keystoreId, cancellationToken);
        if (keystore is null || registry.Find(keystore.Kind) is not { } plugin)
        {
            return null;
        }

        var version = await keystores.GetVersionAsync(keystoreId, keystore.CurrentVersion, cancellationToken);
        if (version is null)
        {
            return null;
        }

        model.SelectPlugin(plugin);
        model.ApplyImport(keystore.Name, version.Settings, ImmutableDictionary<string, string>.Empty);
        model.TenantId = keystore.TenantId;
        model.KeystoreId = keystore.Id;
        model.Version = version.Version;
        model.ActiveVersion = keystore.ActiveVersion;
        model.StoredSecrets = version.SecretVersions.Keys.ToImmutableHashSet(StringComparer.Ordinal);
        model.ResetChecks();
        foreach (var result in version.TestResults)
        {
            model.ApplyCheckResult(result);
        }

        return version.CanActivate ? 4 : 2;
    }

    /// <summary>
    /// Saves the configuration step: a new draft keystore the first time, a new version afterwards (only when
    /// something changed). On refusal the field errors are put on the model and nothing is saved.
    /// </summary>
    public async Task<bool> SaveDraftAsync(KeystoreWizardModel model, Actor actor, CancellationToken cancellationToken)
    {
        var plugin = model.Plugin ?? throw new InvalidOperationException("No keystore type chosen.");
        var secrets = model.SecretInputs.ToImmutableDictionary(kv => kv.Key, kv => new SecretValue(kv.Value), StringComparer.Ordinal);
        try
        {
            KeystoreVersionInfo saved;
            if (model.KeystoreId is not { } id)
            {
                var created = await keystores.CreateDraftAsync(new KeystoreDraft
                {
                    TenantId = model.TenantId ?? throw new InvalidOperationException("No tenant chosen."),
                    Kind = plugin.Descriptor.Kind,
                    Name = model.Name.Trim(),
                    Settings = model.ToSettings(),
                    Secrets = secrets,
                }, actor, cancellationToken);
                if (!created.Succeeded)
                {
                    model.SetErrors(created.Errors);
                    return false;
                }

                model.KeystoreId = created.Value.Id;
                saved = await keystores.GetVersionAsync(created.Value.Id, created.Value.CurrentVersion, cancellationToken)
                    ?? throw new InvalidOperationException("The saved version could not be read back.");
            }
            else
            {
                var result = await keystores.SaveVersionAsync(id, model.ToSettings(), secrets, actor, cancellationToken, model.RemovedSecrets);
                if (!result.Succeeded)
                {
                    model.SetErrors(result.Errors);
                    return false;
                }

                saved = result.Value.Version;
            }

            if (model.Version != saved.Version)
            {
                model.Version = saved.Version;
                model.ResetChecks();
                foreach (var check in saved.TestResults)
                {
                    model.ApplyCheckResult(check);
                }
            }

            model.StoredSecrets = saved.SecretVersions.Keys.ToImmutableHashSet(StringComparer.Ordinal);
            model.ClearSecretInputs();
            return true;
        }
        finally
        {
            foreach (var secret in secrets.Values)
            {
                secret.Dispose();
            }
        }
    }

    /// <summary>
    /// Parses the seed JSON shape and fills the form. Returns the errors (each naming its field) and changes nothing
    /// when there are any.
    /// </summary>
    public IReadOnlyList<string> ParseImport(string json, KeystoreWizardModel model)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return ["Paste a configuration in the form {\"plugin_type\": …, \"plugin_name\": …, \"configuration\": {…}}."];
        }

        using var import = KeystoreJson.Parse(json, registry);
        if (!import.Succeeded)
        {
            return [.. import.Errors.Select(e => $"{e.Field}: {e.Message}")];
        }

        if (model.KeystoreId is not null && model.Plugin?.Descriptor.Kind != import.Kind)
        {
            return [$"plugin_type: this keystore is {model.Plugin?.Descriptor.Kind}; an import cannot change its type."];
        }

        if (model.KeystoreId is not null && model.Name != import.Name)
        {
            return [$"plugin_name: this keystore is named {model.Name}; an import cannot rename it."];
        }

        model.SelectPlugin(registry.Get(import.Kind));
        model.ApplyImport(import.Name, import.Settings, import.Secrets.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Reveal(), StringComparer.Ordinal));
        return [];
    }

    public IAsyncEnumerable<CheckResult> TestAsync(Guid keystoreId, int version, Actor actor, CancellationToken cancellationToken) =>
        keystores.TestAsync(keystoreId, version, actor, cancellationToken);

    /// <summary>
    /// Activates the version (allowed only when its test passed) and returns the activation result in the seed's
    /// shape, read from the keystore itself.
    /// </summary>
    public async Task<ActivationOutcome> ActivateAsync(Guid keystoreId, int version, Actor actor, CancellationToken cancellationToken)
    {
        KeystoreInfo info;
        try
        {
            info = await keystores.ActivateAsync(keystoreId, version, actor, cancellationToken);
        }
        catch (KeystoreCommandException e)
        {
            return new ActivationOutcome(false, null, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Activating keystore {KeystoreId} version {Version} failed.", keystoreId, version);
            return new ActivationOutcome(false, null,
                "Activation could not be saved (database or audit log unavailable); the keystore was not activated. The server log has the details.");
        }

        var versionInfo = await keystores.GetVersionAsync(keystoreId, version, cancellationToken);
        var plugin = registry.Get(info.Kind);
        try
        {
            await using var connection = await plugin.ConnectAsync(versionInfo!.Settings.WithContext(KeystoreService.ContextOf(info)),
                keystores.CreateSecretResolver(versionInfo, "activation result", actor), cancellationToken);
            var result = await connection.DescribeAsync(cancellationToken);
            return new ActivationOutcome(true, result.ToJsonString(s_indented), null);
        }
        catch (KeystoreException e)
        {
            return new ActivationOutcome(true, null, $"{info.Name} is active, but reading its activation result from the keystore failed: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Keystore {KeystoreId} is active, but its activation result could not be read.", keystoreId);
            return new ActivationOutcome(true, null, $"{info.Name} is active, but its activation result could not be read. The server log has the details.");
        }
    }
}

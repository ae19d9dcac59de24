using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// The result of <see cref="KeystoreJson.Parse"/>: either the keystore described by the JSON (kind, name, non-secret
/// settings, and the secret values it contained) or the errors, each naming the offending property. The caller
/// disposes it, which wipes the secret values.
/// </summary>
public sealed class KeystoreImport : IDisposable
{
    internal KeystoreImport(string kind, string name, KeystoreSettings settings, ImmutableDictionary<string, SecretValue> secrets)
    {
        Kind = kind;
        Name = name;
        Settings = settings;
        Secrets = secrets;
        Errors = [];
    }

    internal KeystoreImport(IEnumerable<FieldError> errors, ImmutableDictionary<string, SecretValue> secrets)
    {
        Errors = [.. errors];
        foreach (var secret in secrets.Values)
        {
            secret.Dispose();
        }

        Secrets = ImmutableDictionary<string, SecretValue>.Empty;
    }

    [MemberNotNullWhen(true, nameof(Kind), nameof(Name), nameof(Settings))]
    public bool Succeeded => Errors.IsEmpty;

    /// <summary><c>plugin_type</c>.</summary>
    public string? Kind { get; }

    /// <summary><c>plugin_name</c>.</summary>
    public string? Name { get; }

    public KeystoreSettings? Settings { get; }

    /// <summary>Values of secret fields that were present in the JSON.</summary>
    public ImmutableDictionary<string, SecretValue> Secrets { get; }

    /// <summary>One error per problem, named after the JSON property (configuration fields by their own name).</summary>
    public ImmutableArray<FieldError> Errors { get; }

    /// <summary>A draft for <see cref="KeystoreService.CreateDraftAsync"/>; the draft shares <see cref="Secrets"/>.</summary>
    public KeystoreDraft ToDraft(Guid tenantId) => Succeeded
        ? new KeystoreDraft { TenantId = tenantId, Kind = Kind, Name = Name, Settings = Settings, Secrets = Secrets }
        : throw new InvalidOperationException("The JSON has errors; fix them first.");

    public void Dispose()
    {
        foreach (var secret in Secrets.Values)
        {
            secret.Dispose();
        }
    }
}

using System.Collections.Immutable;
using OpenKcm.Core.Audit;

namespace OpenKcm.Core.Vault;

/// <summary>
/// Resolves the secrets of one keystore configuration version from the <see cref="CredentialVault"/>: each secret
/// field maps to the vault version pinned by that configuration version. Every <see cref="GetAsync"/> is audited as
/// <c>secret.use</c> with <see cref="Purpose"/> and the actor. Immutable and thread-safe; cheap to create per use.
/// </summary>
public sealed class VaultSecretResolver : ISecretResolver
{
    private readonly CredentialVault _vault;
    private readonly Actor _actor;

    public VaultSecretResolver(
        CredentialVault vault, Guid keystoreId, ImmutableDictionary<string, int> secretVersions, string purpose, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(secretVersions);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        ArgumentNullException.ThrowIfNull(actor);
        _vault = vault;
        _actor = actor;
        KeystoreId = keystoreId;
        SecretVersions = secretVersions;
        Purpose = purpose;
    }

    public Guid KeystoreId { get; }

    /// <summary>Secret field name → vault version, as pinned by the configuration version.</summary>
    public ImmutableDictionary<string, int> SecretVersions { get; }

    /// <summary>Why the secrets are used (<c>test connection</c>, <c>connect</c>), recorded in the audit log.</summary>
    public string Purpose { get; }

    public async ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) =>
        SecretVersions.TryGetValue(field, out var version)
            ? await _vault.ReadAsync(KeystoreId, field, version, Purpose, _actor, cancellationToken).ConfigureAwait(false)
            : null;
}

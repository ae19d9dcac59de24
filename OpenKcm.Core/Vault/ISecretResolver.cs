namespace OpenKcm.Core.Vault;

/// <summary>
/// Gives a plugin the secret values of the keystore version it works on. Implementations decrypt from the
/// credential vault and audit every use; they exist only on the server. Scoped to one keystore version.
/// </summary>
public interface ISecretResolver
{
    /// <summary>The secret stored for <paramref name="field"/>, or null when none is set. The caller disposes it.</summary>
    ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken);
}

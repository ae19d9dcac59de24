using System.Collections.Immutable;

namespace OpenKcm.Core.Vault;

/// <summary>
/// Resolves secrets that were just typed into the wizard and not stored yet (Test Connection before save), and
/// serves tests. Holds the values only for the lifetime of one operation.
/// </summary>
public sealed class InMemorySecretResolver(ImmutableDictionary<string, string> values) : ISecretResolver
{
    public static readonly InMemorySecretResolver None = new(ImmutableDictionary<string, string>.Empty);

    public ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) =>
        ValueTask.FromResult(values.TryGetValue(field, out var v) ? new SecretValue(v) : null);
}

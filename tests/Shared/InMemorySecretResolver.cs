using System.Collections.Immutable;

using OpenKcm.Core.Vault;

namespace OpenKcm.Tests.Shared;

/// <summary>
/// A test stand-in for the credential vault's resolver: serves fixed secret values to a plugin. Linked into the test
/// projects that exercise plugins without the vault.
/// </summary>
public sealed class InMemorySecretResolver(ImmutableDictionary<string, string> values) : ISecretResolver
{
    public static readonly InMemorySecretResolver None = new(ImmutableDictionary<string, string>.Empty);

    public ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) =>
        ValueTask.FromResult(values.TryGetValue(field, out var v) ? new SecretValue(v) : null);
}

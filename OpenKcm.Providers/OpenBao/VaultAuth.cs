using System.Collections.Immutable;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// The <c>auth</c> block of a login or renew-self answer (the top-level lease fields are for secrets and are
/// ignored). Not a record: a generated <c>ToString</c> would print the token.
/// </summary>
internal sealed class VaultAuth
{
    public required string ClientToken { get; init; }

    public string? Accessor { get; init; }

    public required ImmutableArray<string> Policies { get; init; }

    /// <summary>Zero for a token that does not expire.</summary>
    public required TimeSpan LeaseDuration { get; init; }

    public required bool Renewable { get; init; }

    public override string ToString() =>
        $"token (policies {string.Join(',', Policies)}, lease {LeaseDuration}, renewable {Renewable})";
}

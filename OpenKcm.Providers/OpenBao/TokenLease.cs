using System.Collections.Immutable;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// The token a connection currently uses and what is known about its lifetime. Immutable apart from
/// <see cref="ConfirmedDenied"/>; replaced as a whole on renewal or login. No <c>ToString</c> of the token.
/// </summary>
internal sealed class TokenLease
{
    // Treat a token as expired slightly early so a request in flight does not arrive after the expiry.
    private static readonly TimeSpan s_expirySafety = TimeSpan.FromSeconds(2);

    private volatile bool _confirmedDenied;

    public required string Token { get; init; }

    /// <summary>When the login or renewal that produced this lease was sent (conservative start of the lease).</summary>
    public required DateTimeOffset ObtainedAt { get; init; }

    /// <summary>Zero for a token that does not expire.</summary>
    public required TimeSpan Lease { get; init; }

    public required bool Renewable { get; init; }

    /// <summary>Renew once less than this remains: a third of the lease granted at login.</summary>
    public required TimeSpan RenewWindow { get; init; }

    public required ImmutableArray<string> Policies { get; init; }

    /// <summary>This lease came from a login forced by a 403 on an operation.</summary>
    public bool IssuedAfterDenial { get; init; }

    /// <summary>
    /// Set when an operation with this (fresh) token was still denied: the policy, not the token, is the problem, so
    /// further 403s with it do not trigger more logins.
    /// </summary>
    public bool ConfirmedDenied
    {
        get => _confirmedDenied;
        set => _confirmedDenied = value;
    }

    public DateTimeOffset ExpiresAt => Lease > TimeSpan.Zero ? ObtainedAt + Lease : DateTimeOffset.MaxValue;

    public bool NeedsRefresh(DateTimeOffset now) => Lease > TimeSpan.Zero && now >= ExpiresAt - RenewWindow;

    public bool IsExpired(DateTimeOffset now) => Lease > TimeSpan.Zero && now >= ExpiresAt - s_expirySafety;

    public override string ToString() => $"token lease {Lease} from {ObtainedAt:O}";
}

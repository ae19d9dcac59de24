using System.Collections.Immutable;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// Snapshot of one configuration version: non-secret settings, the vault version of each secret field (never a
/// value), who saved it, and its Test Connection result. Immutable.
/// </summary>
public sealed class KeystoreVersionInfo
{
    public required Guid KeystoreId { get; init; }

    public required int Version { get; init; }

    public required KeystoreSettings Settings { get; init; }

    /// <summary>Secret field name → credential vault version.</summary>
    public required ImmutableDictionary<string, int> SecretVersions { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Display name of the actor who saved it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Null until Test Connection ran for this version.</summary>
    public KeystoreTestOutcome? TestOutcome { get; init; }

    public DateTimeOffset? TestedAt { get; init; }

    /// <summary>The checks of the last test of this version, in run order.</summary>
    public ImmutableArray<CheckResult> TestResults { get; init; } = [];

    /// <summary>Activation is allowed only for a version whose last test passed (warnings allowed).</summary>
    public bool CanActivate => TestOutcome is KeystoreTestOutcome.Passed or KeystoreTestOutcome.PassedWithWarnings;
}

namespace OpenKcm.Console.Hubs;

/// <summary>
/// One item of the <c>Watch</c> stream of <c>/hubs/health</c> (contract: docs/health-hub.md). Serialized by SignalR's
/// JSON protocol in camelCase; every latency is in milliseconds, every time an ISO 8601 UTC string.
/// </summary>
public sealed record HealthHubMessage
{
    /// <summary>Changes only when the contract changes incompatibly; consumers should refuse an unknown major version.</summary>
    public const int CurrentContractVersion = 1;

    /// <summary><c>snapshot</c> (first item: every keystore), <c>changes</c> (a batch) or <c>heartbeat</c>.</summary>
    public required string Type { get; init; }

    public int ContractVersion { get; init; } = CurrentContractVersion;

    /// <summary>The server's clock when the message was made.</summary>
    public required DateTimeOffset ServerTime { get; init; }

    /// <summary>For <c>snapshot</c>: every monitored keystore, by tenant then name; null otherwise.</summary>
    public IReadOnlyList<KeystoreHealthDto>? Keystores { get; init; }

    /// <summary>For <c>changes</c>: apply in order on top of the snapshot; null otherwise.</summary>
    public IReadOnlyList<KeystoreHealthChangeDto>? Changes { get; init; }

    public static class Types
    {
        public const string Snapshot = "snapshot";
        public const string Changes = "changes";
        public const string Heartbeat = "heartbeat";
    }
}

namespace OpenKcm.Providers.OpenBao;

/// <summary>The answer of <c>GET /v1/sys/health?standbyok=false</c>: status code and body together.</summary>
internal sealed record VaultHealth(
    int StatusCode,
    bool Initialized,
    bool Sealed,
    bool Standby,
    bool PerformanceStandby,
    string? Version,
    string? ClusterName);

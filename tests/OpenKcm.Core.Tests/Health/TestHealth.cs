using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

public static class TestHealth
{
    private static readonly HealthThresholds s_thresholds = new() { WarningLatency = TimeSpan.FromMilliseconds(500) };

    public static KeystoreHealth Create(Guid keystoreId, long successCount = 0, string name = "ks") => new()
    {
        KeystoreId = keystoreId,
        TenantId = TestKeystores.TenantId,
        TenantName = "acme",
        Name = name,
        Kind = TestKeystores.Kind,
        Version = 1,
        Status = KeystoreHealthStatus.Healthy,
        Thresholds = s_thresholds,
        LastLatency = TimeSpan.FromMilliseconds(12),
        AverageLatency = TimeSpan.FromMilliseconds(12),
        P95Latency = TimeSpan.FromMilliseconds(12),
        LastProbeAt = null,
        LastError = null,
        ConsecutiveFailures = 0,
        SuccessCount = successCount,
        FailureCount = 0,
        OperationCount = 0,
    };

    /// <summary>Applies a batch of changes to a consumer's view, as a dashboard does.</summary>
    public static void Apply(Dictionary<Guid, KeystoreHealth> view, IReadOnlyList<KeystoreHealthChange> batch)
    {
        foreach (var change in batch)
        {
            if (change.Kind == KeystoreHealthChangeKind.Upserted)
            {
                view[change.KeystoreId] = change.Health!;
            }
            else
            {
                view.Remove(change.KeystoreId);
            }
        }
    }
}

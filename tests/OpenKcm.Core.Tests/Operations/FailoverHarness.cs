using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>
/// The real monitor, feed, connection manager, failover coordinator and router over one fake plugin (the keystores
/// are told apart by name), a fake catalog and a manual clock. Primary "primary" names backup "backup".
/// </summary>
public sealed class FailoverHarness : IAsyncDisposable
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No failover test is about latency, and latency is measured on the fake clock that <see cref="ProbeUntilAsync"/>
    /// moves in 10 s steps: a probe thread descheduled across a step would turn a keystore Warning by latency alone.
    /// </summary>
    public static readonly HealthThresholds Thresholds = new()
    {
        WarningLatency = TimeSpan.FromMinutes(30),
        CriticalAfterConsecutiveFailures = 3,
        ProbeTimeout = TimeSpan.FromHours(1),
        FailbackAfterHealthyProbes = 3,
    };

    public FailoverHarness(bool backupActive = true, int maxRetryAttempts = 3, bool backupVerified = true)
    {
        var healthOptions = new HealthOptions
        {
            ProbeInterval = ProbeInterval,
            CatalogRefreshInterval = TimeSpan.FromHours(1),
            FeedBatchInterval = TimeSpan.Zero,
        };
        var operationOptions = Options.Create(new KeyOperationOptions
        {
            MaxRetryAttempts = maxRetryAttempts,
            RetryBaseDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromSeconds(5),
        });
        Plugin = new FakeKeystorePlugin(thresholds: Thresholds);
        var registry = new PluginRegistry([Plugin]);
        Backup = WithBackup(TestKeystores.Create("backup"), null);
        Primary = WithBackup(TestKeystores.Create("primary"), Backup.Id, backupVerified);
        Catalog.SetActive(backupActive ? [Primary, Backup] : [Primary]);
        Connections = new KeystoreConnectionManager(Catalog, registry, Clock, operationOptions, NullLogger<KeystoreConnectionManager>.Instance);
        Coordinator = new FailoverCoordinator(AppendAuditAsync, Connections, Clock, NullLogger<FailoverCoordinator>.Instance);
        Coordinator.Switched += Switches.Enqueue;
        Feed = new HealthFeed(Clock, Options.Create(healthOptions));
        Monitor = new KeystoreHealthMonitor(
            Catalog, registry, Connections, Feed, Clock, Options.Create(healthOptions), NullLogger<KeystoreHealthMonitor>.Instance,
            [Coordinator], Coordinator);
        Router = new KeyOperationRouter(Connections, Monitor, Operations, Clock, operationOptions, NullLogger<KeyOperationRouter>.Instance, Coordinator);
    }

    public ManualTimeProvider Clock { get; } = new();

    public FakeKeystoreCatalog Catalog { get; } = new();

    public FakeKeystorePlugin Plugin { get; }

    public ActiveKeystore Primary { get; }

    public ActiveKeystore Backup { get; }

    public KeystoreConnectionManager Connections { get; }

    public FailoverCoordinator Coordinator { get; }

    public HealthFeed Feed { get; }

    public KeystoreHealthMonitor Monitor { get; }

    public KeyOperationRouter Router { get; }

    public RecordingAuditSink Operations { get; } = new();

    public ConcurrentQueue<AuditRecord> Audits { get; } = new();

    public ConcurrentQueue<KeystoreFailoverEvent> Switches { get; } = new();

    /// <summary>Set to make switch audit writes fail.</summary>
    public Exception? FailAuditWith { get; set; }

    /// <summary>A copy naming <paramref name="backupId"/>; <paramref name="verified"/>: Verify backup succeeded for the active versions.</summary>
    public static ActiveKeystore WithBackup(ActiveKeystore keystore, Guid? backupId, bool verified = true) => new()
    {
        BackupVerified = verified && backupId is not null,
        BackupVerification = verified && backupId is { } id ? new BackupVerificationRecord(id, keystore.Version, 1, DateTimeOffset.UnixEpoch) : null,
        Id = keystore.Id,
        TenantId = keystore.TenantId,
        TenantName = keystore.TenantName,
        Name = keystore.Name,
        Kind = keystore.Kind,
        Version = keystore.Version,
        Settings = keystore.Settings,
        Secrets = keystore.Secrets,
        BackupKeystoreId = backupId,
    };

    /// <summary>Makes probes and operations of the named keystore fail as unavailable (or succeed again).</summary>
    public void SetDown(string name, bool down)
    {
        Down[name] = down;
        Plugin.OnProbe = (settings, ct) => IsDown(settings) ? throw Outage(settings) : Task.CompletedTask;
        Plugin.OnWrap = (settings, plaintext, ct) => IsDown(settings) ? throw Outage(settings) : Task.FromResult(plaintext.ToArray().Reverse().ToArray());
        Plugin.OnUnwrap = (settings, wrapped, ct) => IsDown(settings) ? throw Outage(settings) : Task.FromResult(wrapped.ToArray().Reverse().ToArray());
    }

    public ConcurrentDictionary<string, bool> Down { get; } = new();

    public Task StartAsync() => Monitor.StartAsync(CancellationToken.None);

    public KeystoreHealth? Health(Guid keystoreId) => Feed.Find(keystoreId);

    public Task ProbeUntilAsync(Func<bool> condition, string because) =>
        Eventually.UntilAsync(condition, because, () => Clock.Advance(ProbeInterval));

    public async ValueTask DisposeAsync()
    {
        await Monitor.StopAsync(CancellationToken.None);
        Monitor.Dispose();
        await Coordinator.DisposeAsync();
        await Connections.DisposeAsync();
    }

    private static KeystoreException Outage(KeystoreSettings settings) =>
        new(KeystoreErrorKind.Unavailable, $"{settings.Get(TestKeystores.NameField)} is down.");

    private bool IsDown(KeystoreSettings settings) => Down.GetValueOrDefault(settings.Get(TestKeystores.NameField) ?? "");

    private Task AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (FailAuditWith is { } error)
        {
            return Task.FromException(error);
        }

        Audits.Enqueue(record);
        return Task.CompletedTask;
    }
}

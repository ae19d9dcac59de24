using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>
/// Failover end to end below the UI: the real OpenBao plugin against the sandbox's two OpenBao clusters (the second
/// replicating the first), Core's health monitor, failover coordinator and router as registered by
/// <see cref="HealthServiceCollectionExtensions.AddKeystoreHealth"/>, and the real audit log on SQLite. The primary is
/// taken down with the emulator's fault control.
/// </summary>
public sealed class OpenBaoFailoverTests : IAsyncLifetime
{
    private static readonly Actor s_actor = new("user-1", "admin@acme.test");
    private static readonly byte[] s_aad = Encoding.UTF8.GetBytes("tenant-42");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-providers-tests", Guid.NewGuid().ToString("N"));
    private readonly RecordingOperationSink _operations = new();
    private readonly StaticCatalog _catalog = new();
    private OpenBaoSandbox _sandbox = null!;
    private ServiceProvider _services = null!;
    private ActiveKeystore _primary = null!;
    private ActiveKeystore _backup = null!;

    private KeyOperationRouter Router => _services.GetRequiredService<KeyOperationRouter>();

    private IKeystoreFailoverState Failover => _services.GetRequiredService<IKeystoreFailoverState>();

    public async Task InitializeAsync()
    {
        _sandbox = await OpenBaoSandbox.StartAsync();
        var tenant = Guid.NewGuid();
        _backup = Keystore("sandbox_openbao_backup", tenant, _sandbox.Backup.BaseAddress, backupId: null);

        // The catalog says what KeystoreService says after a successful Verify backup of these versions (the
        // verification itself: BackupVerifierTests, and the e2e journey clicks Verify backup); the unverified case
        // is UnverifiedBackup_PrimaryDown_NoFailover below.
        _primary = Keystore("sandbox_openbao", tenant, _sandbox.Emulator.BaseAddress, _backup.Id, verified: true);
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = _directory;
            o.ConnectionString = $"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False";
        });
        services.AddSingleton<IKeystorePlugin>(OpenBaoTestSettings.Plugin());
        services.AddSingleton<IKeystoreCatalog>(_catalog);
        services.AddSingleton<IOperationAuditSink>(_operations);
        services.Configure<KeyOperationOptions>(o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(50));
        services.Configure<FailoverOptions>(o => o.MinimumDwell = TimeSpan.FromSeconds(1));
        services.AddKeystoreHealth(o =>
        {
            o.ProbeInterval = TimeSpan.FromMilliseconds(200);
            o.FeedBatchInterval = TimeSpan.Zero;
        });
        _catalog.Active = [_primary, _backup];
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);
        await _services.GetRequiredService<KeystoreHealthMonitor>().StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _services.GetRequiredService<KeystoreHealthMonitor>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        await _sandbox.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task PrimaryDown_OperationsContinueOnTheBackup_ThenFailBackWhenItReturns()
    {
        var l2 = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
        var wrapped = await Router.WrapAsync(_primary.Id, l2, s_aad, s_actor, CancellationToken.None);
        Assert.False(_operations.Last.RoutedToBackup);

        await _sandbox.Emulator.Faults.SetDownAsync(true);
        var outage = Stopwatch.StartNew();
        var unwrapped = await Router.UnwrapAsync(_primary.Id, wrapped, s_aad, s_actor, CancellationToken.None);
        var served = outage.Elapsed;

        Assert.Equal(l2, unwrapped);
        Assert.True(served < TimeSpan.FromSeconds(30), $"served by the backup after {served}");
        var record = _operations.Last;
        Assert.True(record.RoutedToBackup);
        Assert.Equal((_primary.Id, _backup.Id, "sandbox_openbao_backup"), (record.KeystoreId, record.ServedByKeystoreId, record.ServedByKeystoreName));

        // One failing operation continues on the backup; the route follows once probes see the primary Critical.
        await WaitAsync(() => Task.FromResult(Failover.Get(_primary.Id)?.FailedOver == true), "the route switched to the backup");
        var rewrapped = await Router.WrapAsync(_primary.Id, l2, s_aad, s_actor, CancellationToken.None);
        Assert.True(_operations.Last.RoutedToBackup);

        await WaitAsync(async () => (await AuditAsync(AuditActions.KeystoreFailover)).Count == 1, "the failover was audited");
        var entry = Assert.Single(await AuditAsync(AuditActions.KeystoreFailover));
        Assert.Contains("primary=sandbox_openbao ", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("backup=sandbox_openbao_backup ", entry.Detail, StringComparison.Ordinal);

        await _sandbox.Emulator.Faults.SetDownAsync(false);
        await WaitAsync(() => Task.FromResult(Failover.Get(_primary.Id)?.FailedOver == false), "failed back after healthy probes");
        var again = await Router.UnwrapAsync(_primary.Id, rewrapped, s_aad, s_actor, CancellationToken.None);

        Assert.Equal(l2, again);
        Assert.False(_operations.Last.RoutedToBackup);
        await WaitAsync(async () => (await AuditAsync(AuditActions.KeystoreFailback)).Count == 1, "the failback was audited");
    }

    [Fact]
    public async Task PrimaryDownWithoutTraffic_ProbesMakeItCritical_AndTheFirstOperationGoesStraightToTheBackup()
    {
        await _sandbox.Emulator.Faults.SetDownAsync(true);
        await WaitAsync(() => Task.FromResult(Failover.Get(_primary.Id)?.FailedOver == true), "failed over on Critical");

        Assert.Contains("is Critical after", Failover.Get(_primary.Id)!.Reason, StringComparison.Ordinal);
        await Router.WrapAsync(_primary.Id, new byte[32], s_aad, s_actor, CancellationToken.None);
        Assert.True(_operations.Last.RoutedToBackup);
        Assert.Equal(1, _operations.Last.Attempts);
    }

    private ActiveKeystore Keystore(string name, Guid tenant, Uri address, Guid? backupId, bool verified = false) => new()
    {
        BackupVerified = verified && backupId is not null,
        BackupVerification = verified && backupId is { } id ? new BackupVerificationRecord(id, 1, 1, DateTimeOffset.UtcNow) : null,
        Id = Guid.NewGuid(),
        TenantId = tenant,
        TenantName = "acme",
        Name = name,
        Kind = OpenBaoPlugin.PluginKind,
        Version = 1,
        Settings = OpenBaoTestSettings.Seed(address.ToString().TrimEnd('/')).With(OpenBaoFieldNames.RoleId, _sandbox.Emulator.RoleId),
        Secrets = _sandbox.Secrets(),
        BackupKeystoreId = backupId,
    };

    [Fact]
    public async Task UnverifiedBackup_PrimaryDown_NoFailover()
    {
        // The same primary as the catalog shows it when Verify backup never succeeded (or a new version made it stale).
        var unverified = new ActiveKeystore
        {
            Id = _primary.Id, TenantId = _primary.TenantId, TenantName = _primary.TenantName, Name = _primary.Name, Kind = _primary.Kind,
            Version = _primary.Version, Settings = _primary.Settings, Secrets = _primary.Secrets, BackupKeystoreId = _backup.Id,
        };
        _catalog.Change([unverified, _backup], _primary.Id);
        await WaitAsync(() => Task.FromResult(Failover.Get(_primary.Id)?.BackupAvailable == false), "the coordinator saw the unverified backup");

        await _sandbox.Emulator.Faults.SetDownAsync(true);
        await Assert.ThrowsAsync<KeystoreException>(() => Router.WrapAsync(_primary.Id, new byte[32], s_aad, s_actor, CancellationToken.None));
        await WaitAsync(() => Task.FromResult(_services.GetRequiredService<HealthFeed>().Find(_primary.Id)?.Status == KeystoreHealthStatus.Critical), "primary Critical");

        var state = Failover.Get(_primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.Equal("backup sandbox_openbao_backup has not been verified for the active versions: run Verify backup", state.BackupUnavailableReason);
        Assert.False(_operations.Last.RoutedToBackup);
        Assert.Empty(await AuditAsync(AuditActions.KeystoreFailover));
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) =>
        (await _services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery { ActionPrefix = action }, CancellationToken.None)).Entries;

    private static Task WaitAsync(Func<Task<bool>> condition, string because) =>
        Eventually.UntilAsync(condition, because, TimeSpan.FromSeconds(30));

    /// <summary>A catalog the test sets; <see cref="Change"/> raises KeystoreChanged like KeystoreService does.</summary>
    private sealed class StaticCatalog : IKeystoreCatalog
    {
        public event Action<Guid>? KeystoreChanged;

        public IReadOnlyList<ActiveKeystore> Active { get; set; } = [];

        public void Change(IReadOnlyList<ActiveKeystore> active, Guid changed)
        {
            Active = active;
            KeystoreChanged?.Invoke(changed);
        }

        public Task<IReadOnlyList<ActiveKeystore>> GetActiveAsync(CancellationToken cancellationToken) => Task.FromResult(Active);
    }

    private sealed class RecordingOperationSink : IOperationAuditSink
    {
        private readonly List<OperationRecord> _records = [];

        public OperationRecord Last
        {
            get
            {
                lock (_records)
                {
                    return _records[^1];
                }
            }
        }

        public ValueTask RecordAsync(OperationRecord record, CancellationToken cancellationToken)
        {
            lock (_records)
            {
                _records.Add(record);
            }

            return ValueTask.CompletedTask;
        }
    }
}

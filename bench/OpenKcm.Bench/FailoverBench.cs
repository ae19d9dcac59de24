using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
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
using OpenKcm.Core.Vault;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Sandbox;

namespace OpenKcm.Bench;

/// <summary>
/// Failover time: from taking the primary OpenBao emulator down (fault control: connection refused) to the first
/// successful key operation served by the backup cluster, over the real OpenBao plugin, Core's monitor, failover
/// coordinator and router (as AddKeystoreHealth registers them) and the audit log on SQLite. Two modes: (a) steady
/// traffic (one caller wrapping back to back) and (b) probes only (no traffic until the coordinator switched; then one
/// wrap). Between runs the primary comes back and the bench waits for the failback.
/// </summary>
internal static class FailoverBench
{
    private static readonly Actor s_actor = Actor.Component("bench");

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 20;
        var probeInterval = TimeSpan.FromSeconds(2);
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--runs")
            {
                runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--probe-interval-ms")
            {
                probeInterval = TimeSpan.FromMilliseconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
            }
        }

        var directory = Path.Combine(Path.GetTempPath(), "openkcm-failover-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await using var sandbox = await SandboxHost.StartAsync(
                new SandboxOptions { DataDirectory = Path.Combine(directory, "sandbox"), EnableLuna = false }, CancellationToken.None).ConfigureAwait(false);
            await using var rig = await Rig.StartAsync(sandbox, directory, probeInterval).ConfigureAwait(false);
            var traffic = new List<double>();
            var probes = new List<double>();
            for (var run = 1; run <= runs; run++)
            {
                traffic.Add(await MeasureWithTrafficAsync(sandbox, rig).ConfigureAwait(false));
                probes.Add(await MeasureProbesOnlyAsync(sandbox, rig, probeInterval).ConfigureAwait(false));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: traffic {traffic[^1]:0} ms, probes only {probes[^1]:0} ms"));
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Failover OpenBao primary → openbao_backup, {runs} runs, probe interval {probeInterval.TotalSeconds:0.#} s, Critical after 3 failures, {Environment.ProcessorCount} cores"));
            Console.WriteLine("| mode | runs | p50 ms | p95 ms | max ms |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Print("steady traffic", traffic);
            Print("probes only", probes);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Print(string mode, List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {mode} | {sorted.Length} | {Percentile(sorted, 0.50):0} | {Percentile(sorted, 0.95):0} | {sorted[^1]:0} |"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>(a) One caller wraps back to back; the outage starts; time until a wrap succeeds on the backup.</summary>
    private static async Task<double> MeasureWithTrafficAsync(SandboxHost sandbox, Rig rig)
    {
        using var stop = new CancellationTokenSource();
        var servedByBackup = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = Task.Run(async () =>
        {
            var l2 = RandomNumberGenerator.GetBytes(32);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await rig.Router.WrapAsync(rig.Primary.Id, l2, default, s_actor, stop.Token).ConfigureAwait(false);
                    if (rig.Sink.LastRoutedToBackup)
                    {
                        servedByBackup.TrySetResult(Stopwatch.GetTimestamp());
                    }
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // Counted by the health monitor; the loop keeps the traffic steady.
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var started = Stopwatch.GetTimestamp();
        await sandbox.OpenBao.Faults.SetDownAsync(true).ConfigureAwait(false);
        var at = await servedByBackup.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await caller.ConfigureAwait(false);
        await RecoverAsync(sandbox, rig).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started, at).TotalMilliseconds;
    }

    /// <summary>(b) No traffic: the outage starts at a random point of the probe cycle; time until a wrap right after the switch succeeds.</summary>
    private static async Task<double> MeasureProbesOnlyAsync(SandboxHost sandbox, Rig rig, TimeSpan probeInterval)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * probeInterval.TotalMilliseconds)).ConfigureAwait(false);
        var switched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSwitched(KeystoreFailoverEvent e)
        {
            if (e.ToBackup && e.PrimaryKeystoreId == rig.Primary.Id)
            {
                switched.TrySetResult();
            }
        }

        rig.Failover.Switched += OnSwitched;
        try
        {
            var started = Stopwatch.GetTimestamp();
            await sandbox.OpenBao.Faults.SetDownAsync(true).ConfigureAwait(false);
            await switched.Task.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            await rig.Router.WrapAsync(rig.Primary.Id, RandomNumberGenerator.GetBytes(32), default, s_actor, CancellationToken.None).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!rig.Sink.LastRoutedToBackup)
            {
                throw new InvalidOperationException("The wrap after the switch was not served by the backup.");
            }

            await RecoverAsync(sandbox, rig).ConfigureAwait(false);
            return elapsed;
        }
        finally
        {
            rig.Failover.Switched -= OnSwitched;
        }
    }

    private static async Task RecoverAsync(SandboxHost sandbox, Rig rig)
    {
        await sandbox.OpenBao.Faults.SetDownAsync(false).ConfigureAwait(false);
        await WaitForRoutingAsync(rig.Failover, rig.Primary.Id, s => s is not { FailedOver: true }, TimeSpan.FromSeconds(120),
            "The primary did not fail back within 120 s.").ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the primary's routing satisfies <paramref name="done"/>, re-checking on each
    /// <see cref="IKeystoreFailoverState.Changed"/> (raised under the coordinator's lock, so the handler only signals).
    /// </summary>
    private static async Task WaitForRoutingAsync(
        IKeystoreFailoverState failover, Guid primaryId, Func<KeystoreFailoverState?, bool> done, TimeSpan timeout, string failure)
    {
        using var changed = new SemaphoreSlim(0);
        void OnChanged(Guid id)
        {
            if (id == primaryId)
            {
                changed.Release();
            }
        }

        failover.Changed += OnChanged;
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (!done(failover.Get(primaryId)))
            {
                var left = timeout - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || !await changed.WaitAsync(left).ConfigureAwait(false))
                {
                    throw new InvalidOperationException(failure);
                }
            }
        }
        finally
        {
            failover.Changed -= OnChanged;
        }
    }

    /// <summary>Core's failover stack over the real OpenBao plugin, registered as the console does.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Rig(ServiceProvider services, ActiveKeystore primary, LastRecordSink sink)
        {
            _services = services;
            Primary = primary;
            Sink = sink;
        }

        public ActiveKeystore Primary { get; }

        public LastRecordSink Sink { get; }

        public KeyOperationRouter Router => _services.GetRequiredService<KeyOperationRouter>();

        public IKeystoreFailoverState Failover => _services.GetRequiredService<IKeystoreFailoverState>();

        public static async Task<Rig> StartAsync(SandboxHost sandbox, string directory, TimeSpan probeInterval)
        {
            var tenant = Guid.NewGuid();
            var backup = Keystore("sandbox_openbao_backup", tenant, sandbox.OpenBaoBackup, sandbox.OpenBao, null);
            var primary = Keystore("sandbox_openbao", tenant, sandbox.OpenBao, sandbox.OpenBao, backup.Id);
            var sink = new LastRecordSink();
            var services = new ServiceCollection();
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddOpenKcmCore(o =>
            {
                o.DataDirectory = Path.Combine(directory, "console");
                o.ConnectionString = $"Data Source={Path.Combine(directory, "console", "openkcm.db")};Pooling=False";
            });
            var openBao = new OpenBaoOptions();
            services.AddSingleton<IKeystorePlugin>(new OpenBaoPlugin(new OpenBaoHandlerPool(openBao), TimeProvider.System, openBao));
            var catalog = new StaticCatalog { Active = [primary, backup] };
            services.AddSingleton<IKeystoreCatalog>(catalog);
            services.AddSingleton<IOperationAuditSink>(sink);
            services.AddKeystoreHealth(o => o.ProbeInterval = probeInterval);

            // The dwell only delays failback between runs; it does not change the time to the first backup operation.
            services.Configure<FailoverOptions>(o => o.MinimumDwell = TimeSpan.FromSeconds(1));
            var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            await provider.GetRequiredService<KeystoreHealthMonitor>().StartAsync(CancellationToken.None).ConfigureAwait(false);

            // Verify backup first, as an administrator must: failover never goes to an unverified backup.
            primary = await VerifyBackupAsync(provider.GetRequiredService<KeystoreConnectionManager>(), primary, backup).ConfigureAwait(false);
            catalog.Active = [primary, backup];
            catalog.RaiseChanged(primary.Id);
            await WaitForRoutingAsync(provider.GetRequiredService<IKeystoreFailoverState>(), primary.Id,
                s => s is { BackupAvailable: true }, TimeSpan.FromSeconds(30),
                "The failover coordinator did not see the verified backup within 30 s.").ConfigureAwait(false);

            return new Rig(provider, primary, sink);
        }

        public async ValueTask DisposeAsync()
        {
            await _services.GetRequiredService<KeystoreHealthMonitor>().StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>
        /// What BackupVerifier does (a fresh value wrapped on the primary, unwrapped on the backup, compared), returning
        /// the primary as the catalog shows it after a successful Verify backup of these versions.
        /// </summary>
        private static async Task<ActiveKeystore> VerifyBackupAsync(KeystoreConnectionManager connections, ActiveKeystore primary, ActiveKeystore backup)
        {
            var value = RandomNumberGenerator.GetBytes(32);
            var aad = Encoding.UTF8.GetBytes("openkcm:bench:backup-verification");
            byte[] wrapped;
            using (var lease = await connections.AcquireAsync(primary, CancellationToken.None).ConfigureAwait(false))
            {
                wrapped = await lease.Connection.WrapAsync(value, aad, CancellationToken.None).ConfigureAwait(false);
            }

            byte[] unwrapped;
            using (var lease = await connections.AcquireAsync(backup, CancellationToken.None).ConfigureAwait(false))
            {
                unwrapped = await lease.Connection.UnwrapAsync(wrapped, aad, CancellationToken.None).ConfigureAwait(false);
            }

            if (!CryptographicOperations.FixedTimeEquals(value, unwrapped))
            {
                throw new InvalidOperationException("openbao_backup does not hold the same L1 key as openbao.");
            }

            return new ActiveKeystore
            {
                Id = primary.Id,
                TenantId = primary.TenantId,
                TenantName = primary.TenantName,
                Name = primary.Name,
                Kind = primary.Kind,
                Version = primary.Version,
                Settings = primary.Settings,
                Secrets = primary.Secrets,
                BackupKeystoreId = primary.BackupKeystoreId,
                BackupVerification = new BackupVerificationRecord(backup.Id, primary.Version, backup.Version, DateTimeOffset.UtcNow),
                BackupVerified = true,
            };
        }

        private static ActiveKeystore Keystore(
            string name, Guid tenant, Sandbox.OpenBao.OpenBaoEmulator emulator, Sandbox.OpenBao.OpenBaoEmulator credentials, Guid? backupId) => new()
        {
            Id = Guid.NewGuid(),
            TenantId = tenant,
            TenantName = "bench",
            Name = name,
            Kind = OpenBaoPlugin.PluginKind,
            Version = 1,
            Settings = new KeystoreSettings(ImmutableDictionary<string, string>.Empty
                .Add(OpenBaoFieldNames.VaultAddress, emulator.BaseAddress.ToString().TrimEnd('/'))
                .Add(OpenBaoFieldNames.AuthMethod, OpenBaoFieldNames.AppRole)
                .Add(OpenBaoFieldNames.RoleId, credentials.RoleId)
                .Add(OpenBaoFieldNames.MountPath, Sandbox.OpenBao.OpenBaoEmulator.MountPath)
                .Add(OpenBaoFieldNames.KeyName, Sandbox.OpenBao.OpenBaoEmulator.KeyName)),
            Secrets = new SecretIdResolver(credentials.SecretId),
            BackupKeystoreId = backupId,
        };
    }

    private sealed class StaticCatalog : IKeystoreCatalog
    {
        public event Action<Guid>? KeystoreChanged;

        public IReadOnlyList<ActiveKeystore> Active { get; set; } = [];

        public void RaiseChanged(Guid keystoreId) => KeystoreChanged?.Invoke(keystoreId);

        public Task<IReadOnlyList<ActiveKeystore>> GetActiveAsync(CancellationToken cancellationToken) => Task.FromResult(Active);
    }

    private sealed class SecretIdResolver(string secretId) : ISecretResolver
    {
        public ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) =>
            ValueTask.FromResult(field == OpenBaoFieldNames.SecretId ? new SecretValue(secretId) : null);
    }

    /// <summary>Keeps only whether the latest successful operation was served by the backup (no audit storage in the hot loop).</summary>
    private sealed class LastRecordSink : IOperationAuditSink
    {
        private volatile bool _lastRoutedToBackup;

        public bool LastRoutedToBackup => _lastRoutedToBackup;

        public ValueTask RecordAsync(OperationRecord record, CancellationToken cancellationToken)
        {
            if (record.Outcome == KeyOperationOutcome.Succeeded)
            {
                _lastRoutedToBackup = record.RoutedToBackup;
            }

            return ValueTask.CompletedTask;
        }
    }
}

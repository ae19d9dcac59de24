using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.Pkcs11;
using OpenKcm.Providers.ThalesLuna;

namespace OpenKcm.Bench;

/// <summary>
/// Wrap+unwrap of 32 bytes with 16 bytes of associated data on SoftHSM2: through the Thales Luna plugin's connection
/// (session pool, key lookup cache, wrapped format, error mapping) versus a tight loop on the interop layer (one logged-in
/// session per caller, IV from C_GenerateRandom as the plugin does, or from .NET's RNG to show what the token's RNG
/// costs), each with 1 and 8 concurrent callers. Prints
/// ops/s (one op = wrap + unwrap), latency percentiles per op and managed bytes allocated per op.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "failover")
        {
            return await FailoverBench.RunAsync(args[1..]).ConfigureAwait(false);
        }

        var seconds = 3.0;
        var module = "/usr/lib/softhsm/libsofthsm2.so";
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--seconds")
            {
                seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--module")
            {
                module = args[++i];
            }
        }

        if (!File.Exists(module))
        {
            Console.Error.WriteLine($"{module} not found: apt-get install -y softhsm2");
            return 2;
        }

        using var hsm = new SoftHsmBench(module);
        var duration = TimeSpan.FromSeconds(seconds);
        var results = new List<Result>();
        foreach (var callers in new[] { 1, 8 })
        {
            results.Add(await RunAsync("interop, IV from C_GenerateRandom", callers, duration, () => InteropCaller(hsm, hsmIv: true)).ConfigureAwait(false));
            results.Add(await RunAsync("interop, IV from .NET RNG", callers, duration, () => InteropCaller(hsm, hsmIv: false)).ConfigureAwait(false));
            results.Add(await RunPluginAsync(hsm, callers, duration).ConfigureAwait(false));
        }

        Console.WriteLine();
        Console.WriteLine($"SoftHSM2 ({hsm.Module.GetInfo().LibraryDescription} {hsm.Module.GetInfo().LibraryVersion}), "
            + $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {seconds:0.#} s per row after 0.5 s warm-up");
        Console.WriteLine("| path | callers | ops/s | p50 µs | p95 µs | p99 µs | bytes/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Callers} | {r.OpsPerSecond:N0} | {r.P50:0} | {r.P95:0} | {r.P99:0} | {r.BytesPerOp:N0} |"));
        }

        return 0;
    }

    private static async Task<Result> RunPluginAsync(SoftHsmBench hsm, int callers, TimeSpan duration)
    {
        var plugin = new ThalesLunaPlugin(TimeProvider.System);
        var settings = new KeystoreSettings(ImmutableDictionary<string, string>.Empty
            .Add(ThalesLunaFieldNames.HsmIpAddresses, "127.0.0.1")
            .Add(ThalesLunaFieldNames.PartitionLabel, SoftHsmBench.Token)
            .Add(ThalesLunaFieldNames.Pkcs11LibraryPath, hsm.ModulePath)
            .Add(ThalesLunaFieldNames.KeyLabel, SoftHsmBench.KeyLabel));
        await using var connection = await plugin.ConnectAsync(settings, new PinResolver(), CancellationToken.None).ConfigureAwait(false);
        return await RunAsync("plugin WrapAsync+UnwrapAsync", callers, duration, () =>
        {
            var material = RandomNumberGenerator.GetBytes(32);
            var aad = RandomNumberGenerator.GetBytes(16);
            return async () =>
            {
                var wrapped = await connection.WrapAsync(material, aad, CancellationToken.None).ConfigureAwait(false);
                _ = await connection.UnwrapAsync(wrapped, aad, CancellationToken.None).ConfigureAwait(false);
            };
        }).ConfigureAwait(false);
    }

    private static Func<ValueTask> InteropCaller(SoftHsmBench hsm, bool hsmIv)
    {
        var session = hsm.Module.OpenSession(hsm.Slot);
        session.Login(Encoding.UTF8.GetBytes(SoftHsmBench.Pin));
        var key = session.FindSecretKeys(SoftHsmBench.KeyLabel, 2).Single();
        var material = RandomNumberGenerator.GetBytes(32);
        var aad = RandomNumberGenerator.GetBytes(16);
        var iv = new byte[Ck.GcmIvLength];
        var sealedBytes = new byte[material.Length + Ck.GcmTagLength];
        return () =>
        {
            if (hsmIv)
            {
                session.GenerateRandom(iv);
            }
            else
            {
                RandomNumberGenerator.Fill(iv);
            }

            _ = session.EncryptAesGcm(key, iv, aad, material, sealedBytes);
            _ = session.DecryptAesGcm(key, iv, aad, sealedBytes);
            return ValueTask.CompletedTask;
        };
    }

    private static async Task<Result> RunAsync(string name, int callers, TimeSpan duration, Func<Func<ValueTask>> makeCaller)
    {
        var operations = Enumerable.Range(0, callers).Select(_ => makeCaller()).ToArray();
        await RunForAsync(operations, TimeSpan.FromMilliseconds(500), null).ConfigureAwait(false);
        GC.Collect();
        var samples = operations.Select(_ => new List<long>(200_000)).ToArray();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        await RunForAsync(operations, duration, samples).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        var all = samples.SelectMany(s => s).Order().ToArray();
        double Us(double p) => all[Math.Clamp((int)Math.Ceiling(p * all.Length) - 1, 0, all.Length - 1)] * 1_000_000.0 / Stopwatch.Frequency;
        var result = new Result(name, callers, all.Length / elapsed.TotalSeconds, Us(0.50), Us(0.95), Us(0.99), (double)allocated / all.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, {callers} caller(s): {result.OpsPerSecond:N0} ops/s"));
        return result;
    }

    private static async Task RunForAsync(Func<ValueTask>[] operations, TimeSpan duration, List<long>[]? samples)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(operations.Select((op, i) => Task.Run(async () =>
        {
            while (true)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= until)
                {
                    return;
                }

                await op().ConfigureAwait(false);
                samples?[i].Add(Stopwatch.GetTimestamp() - t0);
            }
        }))).ConfigureAwait(false);
    }

    private sealed record Result(string Name, int Callers, double OpsPerSecond, double P50, double P95, double P99, double BytesPerOp);

    private sealed class PinResolver : ISecretResolver
    {
        public ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) =>
            ValueTask.FromResult(field == ThalesLunaFieldNames.PartitionPin ? new SecretValue(SoftHsmBench.Pin) : null);
    }
}

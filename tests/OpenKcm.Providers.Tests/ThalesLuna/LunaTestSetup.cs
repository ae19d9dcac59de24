using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Tests.Pkcs11;
using OpenKcm.Providers.Tests.Support;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.Tests.ThalesLuna;

/// <summary>
/// Loopback TCP listeners standing in for the appliances' NTLS ports: 127.0.0.1 and 127.0.0.2 on one port. The kernel
/// completes a TCP connect to a listening socket without an accept, which is all the network check needs.
/// 127.0.0.3 on the same port has no listener: connection refused.
/// </summary>
internal sealed class NtlsListeners : IDisposable
{
    private readonly List<TcpListener> _listeners = [];

    public NtlsListeners()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        _listeners.Add(first);
        Port = ((IPEndPoint)first.LocalEndpoint).Port;
        var second = new TcpListener(IPAddress.Parse("127.0.0.2"), Port);
        second.Start();
        _listeners.Add(second);
    }

    public int Port { get; }

    public void Dispose()
    {
        foreach (var l in _listeners)
        {
            l.Dispose();
        }
    }
}

/// <summary>A client certificate with its key and the CA that issued it, made in memory.</summary>
internal sealed class LunaIdentity : IDisposable
{
    public LunaIdentity(DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        Ca = TestCertificates.CreateCa("Luna Test CA");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=openkcm-console", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var issued = request.Create(Ca, notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30),
            RandomNumberGenerator.GetBytes(8));
        ClientPem = issued.ExportCertificatePem();
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        CaPem = Ca.ExportCertificatePem();
    }

    public X509Certificate2 Ca { get; }

    public string ClientPem { get; }

    public string KeyPem { get; }

    public string CaPem { get; }

    public static string OtherKeyPem()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return other.ExportPkcs8PrivateKeyPem();
    }

    public void Dispose() => Ca.Dispose();
}

/// <summary>Settings and secrets for a SoftHSM2-backed "Luna".</summary>
internal static class LunaTestSettings
{
    public static KeystoreSettings For(int port, string partition = SoftHsm.MainToken, string key = SoftHsm.L1Key,
        string addresses = "127.0.0.1\n127.0.0.2", LunaIdentity? identity = null, string library = SoftHsm.ModulePath) =>
        new KeystoreSettings(ImmutableDictionary<string, string>.Empty
            .Add(F.HsmIpAddresses, addresses)
            .Add(F.NtlsPort, port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add(F.PartitionLabel, partition)
            .Add(F.Pkcs11LibraryPath, library)
            .Add(F.KeyLabel, key))
            .With(F.ClientCertificate, identity?.ClientPem)
            .With(F.CaCertificate, identity?.CaPem);

    public static InMemorySecretResolver Secrets(string pin = SoftHsm.Pin, string? clientKeyPem = null)
    {
        var values = ImmutableDictionary<string, string>.Empty.Add(F.PartitionPin, pin);
        return new InMemorySecretResolver(clientKeyPem is null ? values : values.Add(F.ClientPrivateKey, clientKeyPem));
    }
}

/// <summary>Runs Test Connection to the end and looks results up by check id.</summary>
internal static class LunaChecks
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The latency check times real round trips against the 50 ms production budget; on a loaded 2-core test machine
    /// two descheduled samples out of 20 would turn it Warning, so tests that are not about the budget use this one.
    /// </summary>
    public static readonly TimeSpan RelaxedLatencyBudget = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyDictionary<string, CheckResult>> RunAsync(KeystoreSettings settings, InMemorySecretResolver secrets,
        ThalesLunaOptions? options = null)
    {
        var plugin = new ThalesLunaPlugin(TimeProvider.System, options ?? new ThalesLunaOptions { LatencyBudget = RelaxedLatencyBudget });
        var results = await plugin.TestConnectionAsync(settings, secrets, CancellationToken.None).ToListAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(ThalesLunaPlugin.Checks.Select(c => c.Id), results.Select(r => r.Id));
        return results.ToDictionary(r => r.Id);
    }

    public static CheckResult AssertFailedAt(IReadOnlyDictionary<string, CheckResult> results, string id, KeystoreErrorKind kind)
    {
        var order = ThalesLunaPlugin.Checks.Select(c => c.Id).ToList();
        var index = order.IndexOf(id);
        var failed = results[id];
        Assert.True(failed.Outcome == CheckOutcome.Failed && failed.ErrorKind == kind,
            $"{id}: expected failed with {kind}, got {failed.Outcome} {failed.ErrorKind}: {failed.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(failed.Remedy), $"{id} has no remedy");
        Assert.All(order.Take(index), earlier => Assert.True(
            results[earlier].Outcome is CheckOutcome.Passed or CheckOutcome.Warning, $"{earlier}: {results[earlier].Outcome} {results[earlier].Detail}"));
        Assert.All(order.Skip(index + 1), later => Assert.Equal(CheckOutcome.Skipped, results[later].Outcome));
        return failed;
    }

    public static void AssertAllPassed(IReadOnlyDictionary<string, CheckResult> results) =>
        Assert.All(results.Values, r => Assert.True(r.Outcome == CheckOutcome.Passed, $"{r.Id}: {r.Outcome} {r.Detail} {r.Remedy}"));
}

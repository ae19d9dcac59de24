using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>Failures below HTTP: nothing listening, a server that never answers, a configuration that cannot work.</summary>
public sealed class OpenBaoTransportTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static InMemorySecretResolver Secret() =>
        new(ImmutableDictionary<string, string>.Empty.Add(OpenBaoFieldNames.SecretId, "a-secret-id"));

    [Fact]
    public async Task TestConnection_ClosedPort_FailsServerHealthAsUnreachableAndSkipsTheRest()
    {
        var settings = OpenBaoTestSettings.Seed($"http://127.0.0.1:{Sockets.ClosedPort()}");

        var results = await OpenBaoTestSettings.Plugin().TestConnectionAsync(settings, Secret(), CancellationToken.None)
            .ToListAsync().AsTask().WaitAsync(s_wait);

        Assert.Equal(OpenBaoPlugin.Checks.Select(c => c.Id), results.Select(r => r.Id));
        Assert.Equal(CheckOutcome.Failed, results[0].Outcome);
        Assert.Equal(KeystoreErrorKind.Unreachable, results[0].ErrorKind);
        Assert.Contains("refused", results[0].Detail);
        Assert.NotNull(results[0].Remedy);
        Assert.All(results.Skip(1), r => Assert.Equal(CheckOutcome.Skipped, r.Outcome));
    }

    [Fact]
    public async Task Connect_ClosedPort_ThrowsUnreachable()
    {
        var settings = OpenBaoTestSettings.Seed($"http://127.0.0.1:{Sockets.ClosedPort()}");

        var ex = await Assert.ThrowsAsync<KeystoreException>(
            () => OpenBaoTestSettings.Plugin().ConnectAsync(settings, Secret(), CancellationToken.None).WaitAsync(s_wait));

        Assert.Equal(KeystoreErrorKind.Unreachable, ex.Kind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task TestConnection_UnresolvableHost_FailsServerHealthNamingDns()
    {
        var settings = OpenBaoTestSettings.Seed("https://openbao.invalid:8200");

        var results = await OpenBaoTestSettings.Plugin().TestConnectionAsync(settings, Secret(), CancellationToken.None)
            .ToListAsync().AsTask().WaitAsync(s_wait);

        Assert.Equal(KeystoreErrorKind.Unreachable, results[0].ErrorKind);
        Assert.Contains("DNS", results[0].Detail);
    }

    [Fact]
    public async Task TestConnection_ServerNeverAnswers_FailsWithTimeoutAfterTheRequestTimeout()
    {
        var time = new ManualTimeProvider();
        await using var server = new BlackHoleServer();
        var plugin = OpenBaoTestSettings.Plugin(time, new OpenBaoOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        var settings = OpenBaoTestSettings.Seed(server.Address.ToString());

        var run = plugin.TestConnectionAsync(settings, Secret(), CancellationToken.None).ToListAsync().AsTask();
        await server.FirstConnection.WaitAsync(s_wait);
        time.Advance(TimeSpan.FromSeconds(2));
        var results = await run.WaitAsync(s_wait);

        Assert.Equal(CheckOutcome.Failed, results[0].Outcome);
        Assert.Equal(KeystoreErrorKind.TimedOut, results[0].ErrorKind);
        Assert.Contains("within 2 s", results[0].Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), results[0].Duration);
    }

    [Fact]
    public async Task TestConnection_OverallTimeoutFirst_FailsTheRunningCheckWithTimeout()
    {
        var time = new ManualTimeProvider();
        await using var server = new BlackHoleServer();
        var plugin = OpenBaoTestSettings.Plugin(time, new OpenBaoOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(30),
            TestConnectionTimeout = TimeSpan.FromSeconds(5),
        });

        var run = plugin.TestConnectionAsync(OpenBaoTestSettings.Seed(server.Address.ToString()), Secret(), CancellationToken.None)
            .ToListAsync().AsTask();
        await server.FirstConnection.WaitAsync(s_wait);
        time.Advance(TimeSpan.FromSeconds(5));
        var results = await run.WaitAsync(s_wait);

        Assert.Equal(KeystoreErrorKind.TimedOut, results[0].ErrorKind);
        Assert.Contains("Test Connection did not finish within 5 s", results[0].Detail);
        Assert.All(results.Skip(1), r => Assert.Equal(CheckOutcome.Skipped, r.Outcome));
    }

    [Fact]
    public async Task TestConnection_CallerCancels_ThrowsOperationCanceled()
    {
        await using var server = new BlackHoleServer();
        using var cts = new CancellationTokenSource();
        var run = OpenBaoTestSettings.Plugin().TestConnectionAsync(OpenBaoTestSettings.Seed(server.Address.ToString()), Secret(), cts.Token)
            .ToListAsync().AsTask();
        await server.FirstConnection.WaitAsync(s_wait);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_wait));
    }

    [Fact]
    public async Task TestConnection_GarbageCaCertificate_FailsServerHealthAsInvalidConfigurationWithoutConnecting()
    {
        await using var server = new BlackHoleServer();
        var settings = OpenBaoTestSettings.Seed("https://127.0.0.1:8200").With("ca_certificate", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----");

        var results = await OpenBaoTestSettings.Plugin().TestConnectionAsync(settings, Secret(), CancellationToken.None)
            .ToListAsync().AsTask().WaitAsync(s_wait);

        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, results[0].ErrorKind);
        Assert.Contains("ca_certificate", results[0].Detail);
    }

    [Fact]
    public async Task Connect_GarbageCaCertificate_ThrowsInvalidConfiguration()
    {
        var settings = OpenBaoTestSettings.Seed("https://127.0.0.1:8200").With("ca_certificate", "garbage");

        var ex = await Assert.ThrowsAsync<KeystoreException>(
            () => OpenBaoTestSettings.Plugin().ConnectAsync(settings, Secret(), CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.False(ex.IsRetryable);
    }
}

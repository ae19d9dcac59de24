using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>The long-lived connection against the emulator: key operations, probe, activation facts, token lifetime.</summary>
public sealed class OpenBaoConnectionTests : IAsyncLifetime
{
    private static readonly byte[] s_associatedData = "tenant-42/l2/v1"u8.ToArray();

    private readonly ManualTimeProvider _time = new();
    private OpenBaoSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await OpenBaoSandbox.StartAsync(_time);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private async Task<OpenBaoConnection> ConnectAsync(Core.Plugins.KeystoreSettings? settings = null, string? secretId = null) =>
        (OpenBaoConnection)await OpenBaoTestSettings.Plugin(_time)
            .ConnectAsync(settings ?? _sandbox.Settings(), _sandbox.Secrets(secretId), CancellationToken.None)
            .WaitAsync(CheckResults.Guard);

    [Fact]
    public async Task Wrap_ThenUnwrap_ReturnsThePlaintextAndTheWrappedValueIsTransitCiphertext()
    {
        await using var connection = await ConnectAsync();
        var l2 = RandomNumberGenerator.GetBytes(32);

        var wrapped = await connection.WrapAsync(l2, s_associatedData, CancellationToken.None);
        var unwrapped = await connection.UnwrapAsync(wrapped, s_associatedData, CancellationToken.None);

        Assert.StartsWith("vault:v1:", Encoding.UTF8.GetString(wrapped));
        Assert.Equal(l2, unwrapped);
    }

    [Fact]
    public async Task Unwrap_OtherAssociatedData_IsRefused()
    {
        await using var connection = await ConnectAsync();
        var wrapped = await connection.WrapAsync(RandomNumberGenerator.GetBytes(32), s_associatedData, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<KeystoreException>(
            () => connection.UnwrapAsync(wrapped, "tenant-43/l2/v1"u8.ToArray(), CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.InvalidResponse, ex.Kind);
    }

    [Fact]
    public async Task Unwrap_ValueFromAnotherKeystore_ThrowsKeyNotFound()
    {
        await using var connection = await ConnectAsync();

        var ex = await Assert.ThrowsAsync<KeystoreException>(
            () => connection.UnwrapAsync(RandomNumberGenerator.GetBytes(60), s_associatedData, CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
    }

    [Fact]
    public async Task Probe_HealthyServer_Succeeds()
    {
        await using var connection = await ConnectAsync();

        await connection.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Probe_Sealed_ThrowsUnavailable()
    {
        await using var connection = await ConnectAsync();
        _sandbox.Emulator.Faults.Sealed = true;

        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.Unavailable, ex.Kind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Probe_Down_ThrowsUnreachable()
    {
        await using var connection = await ConnectAsync();
        await _sandbox.Emulator.Faults.SetDownAsync(true);

        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.Unreachable, ex.Kind);
    }

    [Fact]
    public async Task Describe_SeededScenario_HasTheSeedsKeysWithCheckedValues()
    {
        await using var connection = await ConnectAsync();

        var description = await connection.DescribeAsync(CancellationToken.None);

        Assert.Equal("active", (string?)description["plugin_status"]);
        Assert.Equal("authenticated", (string?)description["auth_status"]);
        Assert.Equal("enabled", (string?)description["transit_engine"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", (string?)description["vault_version"]);
        Assert.Contains("openkcm-policy", (string?)description["policies_applied"]);
        Assert.Equal("openkcm-keys/keys/customer-master-key (aes256-gcm96, version 1)", (string?)description["transit_key"]);
    }

    [Fact]
    public async Task Connect_WrongSecretId_ThrowsAuthenticationFailed()
    {
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => ConnectAsync(secretId: "wrong-secret-id"));

        Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
        Assert.DoesNotContain("wrong-secret-id", ex.ToString());
    }

    [Fact]
    public async Task Operations_Concurrent_ShareOneLogin()
    {
        await using var connection = await ConnectAsync();

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => connection.ProbeAsync(CancellationToken.None)));

        Assert.Equal(1, connection.Tokens.Logins);
    }

    [Fact]
    public async Task Operations_WhenLessThanAThirdOfTheLeaseRemains_RenewTheToken()
    {
        await using var connection = await ConnectAsync();
        var first = connection.Tokens.Current!;
        Assert.Equal(TimeSpan.FromHours(1), first.Lease);

        _time.Advance(TimeSpan.FromMinutes(39));
        await connection.ProbeAsync(CancellationToken.None);
        Assert.Equal(0, connection.Tokens.Renewals);

        _time.Advance(TimeSpan.FromMinutes(2));
        await connection.ProbeAsync(CancellationToken.None);

        Assert.Equal(1, connection.Tokens.Renewals);
        Assert.Equal(1, connection.Tokens.Logins);
        Assert.Equal(first.Token, connection.Tokens.Current!.Token);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), connection.Tokens.Current.ExpiresAt);
    }

    [Fact]
    public async Task Operations_NearTheMaxTtl_LogInAgainInsteadOfRenewing()
    {
        await using var connection = await ConnectAsync();
        var first = connection.Tokens.Current!.Token;

        // Renew every 45 minutes: the seeded role's tokens live 1 h at most 4 h.
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(45));
            await connection.ProbeAsync(CancellationToken.None);
        }

        Assert.Equal(2, connection.Tokens.Logins);
        Assert.NotEqual(first, connection.Tokens.Current!.Token);
    }

    [Fact]
    public async Task Operations_AfterTheTokenExpired_LogInAgain()
    {
        await using var connection = await ConnectAsync();
        var first = connection.Tokens.Current!.Token;

        _time.Advance(TimeSpan.FromHours(2));
        await connection.ProbeAsync(CancellationToken.None);

        Assert.Equal(2, connection.Tokens.Logins);
        Assert.Equal(0, connection.Tokens.Renewals);
        Assert.NotEqual(first, connection.Tokens.Current!.Token);
    }

    [Fact]
    public async Task Operations_TokenRevokedOnTheServer_LogInAgainAndRetryOnce()
    {
        await using var connection = await ConnectAsync();
        var revoked = connection.Tokens.Current!.Token;
        using (var admin = _sandbox.Admin())
        {
            await admin.SendAsync(HttpMethod.Post, "auth/token/revoke", new() { ["token"] = revoked });
        }

        var wrapped = await connection.WrapAsync(RandomNumberGenerator.GetBytes(32), s_associatedData, CancellationToken.None);

        Assert.NotEmpty(wrapped);
        Assert.Equal(2, connection.Tokens.Logins);
        Assert.NotEqual(revoked, connection.Tokens.Current!.Token);
    }

    [Fact]
    public async Task Operations_PolicyDeniesEncrypt_ThrowPermissionDeniedAndStopLoggingInAfterOneRetry()
    {
        var policy = OpenBaoTestSettings.Plugin().GetPermissionGuidance(OpenBaoTestSettings.Seed()).Blocks[0].Content
            .Replace(OpenBaoGuidance.PolicyLine("openkcm-keys/encrypt/customer-master-key", "update"), "", StringComparison.Ordinal);
        var role = await _sandbox.CreateRoleAsync("no-encrypt", policy);
        await using var connection = await ConnectAsync(_sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId), role.SecretId);

        var first = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));
        var second = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.PermissionDenied, first.Kind);
        Assert.Equal("update on openkcm-keys/encrypt/customer-master-key", first.Permission);
        Assert.Equal(KeystoreErrorKind.PermissionDenied, second.Kind);
        Assert.Equal(2, connection.Tokens.Logins);
    }

    [Fact]
    public async Task Operations_RenewalRefused_LogInAgain()
    {
        var policy = OpenBaoTestSettings.Plugin().GetPermissionGuidance(OpenBaoTestSettings.Seed()).Blocks[0].Content
            .Replace(OpenBaoGuidance.PolicyLine("auth/token/renew-self", "update"), "", StringComparison.Ordinal);
        var role = await _sandbox.CreateRoleAsync("no-renew", policy, tokenTtl: TimeSpan.FromMinutes(30));
        await using var connection = await ConnectAsync(_sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId), role.SecretId);
        var first = connection.Tokens.Current!.Token;

        _time.Advance(TimeSpan.FromMinutes(21));
        await connection.ProbeAsync(CancellationToken.None);

        Assert.Equal(2, connection.Tokens.Logins);
        Assert.Equal(0, connection.Tokens.Renewals);
        Assert.NotEqual(first, connection.Tokens.Current!.Token);
    }

    [Fact]
    public async Task Operations_NonRenewableToken_LogInAgainBeforeExpiry()
    {
        using (var admin = _sandbox.Admin())
        {
            await admin.SendAsync(HttpMethod.Post, "auth/approle/role/openkcm-service", new() { ["token_type"] = "batch" });
        }

        await using var connection = await ConnectAsync();
        Assert.False(connection.Tokens.Current!.Renewable);

        _time.Advance(TimeSpan.FromMinutes(41));
        await connection.ProbeAsync(CancellationToken.None);

        Assert.Equal(2, connection.Tokens.Logins);
        Assert.Equal(0, connection.Tokens.Renewals);
    }

    [Fact]
    public async Task Logs_ThroughLoginRenewalRevocationAndDenial_NeverContainTheTokenOrSecretId()
    {
        var logger = new ListLogger<OpenBaoPlugin>();
        var plugin = OpenBaoTestSettings.Plugin(_time, logger: logger);
        await using var connection = (OpenBaoConnection)await plugin.ConnectAsync(_sandbox.Settings(), _sandbox.Secrets(), CancellationToken.None);
        var tokens = new List<string> { connection.Tokens.Current!.Token };
        _time.Advance(TimeSpan.FromMinutes(41));
        await connection.ProbeAsync(CancellationToken.None);
        using (var admin = _sandbox.Admin())
        {
            await admin.SendAsync(HttpMethod.Post, "auth/token/revoke", new() { ["token"] = connection.Tokens.Current!.Token });
        }

        await connection.ProbeAsync(CancellationToken.None);
        tokens.Add(connection.Tokens.Current!.Token);

        Assert.Equal(1, connection.Tokens.Renewals);
        Assert.Equal(2, connection.Tokens.Logins);
        Assert.NotEmpty(logger.Lines);
        Assert.All(logger.Lines, line =>
        {
            Assert.DoesNotContain(_sandbox.Emulator.SecretId, line);
            Assert.All(tokens, t => Assert.DoesNotContain(t, line));
        });
    }

    [Fact]
    public async Task Dispose_ThenOperate_ThrowsObjectDisposed()
    {
        var connection = await ConnectAsync();
        await connection.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.ProbeAsync(CancellationToken.None));
    }
}

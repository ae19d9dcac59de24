using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>
/// The verifier against a real keystore service and audit log (SQLite), with the router's connections coming from a
/// fake plugin so a test can make the keystore lose, corrupt or refuse the tenant key.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync, which xunit calls.")]
public sealed class L1KeyVerifierTests : IAsyncLifetime
{
    private readonly FakeKeystoreCatalog _catalog = new();
    private readonly FakeKeystorePlugin _plugin = new();
    private readonly RecordingAuditSink _operations = new();
    private CoreTestContext _ctx = null!;
    private KeystoreConnectionManager _connections = null!;
    private L1KeyVerifier _verifier = null!;
    private KeystoreInfo _keystore = null!;

    public async Task InitializeAsync()
    {
        _ctx = await CoreTestContext.CreateAsync();
        var created = await _ctx.Keystores.CreateDraftAsync(new KeystoreDraft
        {
            TenantId = _ctx.DefaultTenant.Id,
            Kind = TestSupport.FakeKeystorePlugin.Kind,
            Name = "primary_fake_kms",
            Settings = new KeystoreSettings(new Dictionary<string, string> { ["endpoint"] = "https://kms.example.test", ["region"] = "us-east-1" }
                .ToImmutableDictionary(StringComparer.Ordinal)),
            Secrets = new Dictionary<string, SecretValue> { ["api_key"] = new("good-key") },
        }, CoreTestContext.Admin, CancellationToken.None);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
        _keystore = created.Value;
        _catalog.SetActive(TestKeystores.Create(_keystore.Name, id: _keystore.Id));
        var options = Options.Create(new KeyOperationOptions { MaxRetryAttempts = 0 });
        _connections = new KeystoreConnectionManager(_catalog, new PluginRegistry([_plugin]), _ctx.Time, options, NullLogger<KeystoreConnectionManager>.Instance);
        var router = new KeyOperationRouter(_connections, new RecordingHealthRecorder(), _operations, _ctx.Time, options, NullLogger<KeyOperationRouter>.Instance);
        _verifier = new L1KeyVerifier(router, _ctx.Keystores, _ctx.Audit, _ctx.Time);
    }

    public async Task DisposeAsync()
    {
        await _connections.DisposeAsync();
        await _ctx.DisposeAsync();
    }

    [Fact]
    public async Task VerifyAsync_KeystoreReturnsTheKey_SucceedsThroughTheRouterAndIsAudited()
    {
        byte[]? seen = null;
        _plugin.OnWrap = (_, plaintext, _) =>
        {
            seen = plaintext.ToArray();
            return Task.FromResult(plaintext.ToArray().Reverse().Concat(new byte[] { 0xAA }).ToArray());
        };
        _plugin.OnUnwrap = (_, wrapped, _) => Task.FromResult(wrapped[..^1].ToArray().Reverse().ToArray());

        var result = await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(L1KeyVerifier.L2KeyBytes + 1, result.WrappedLength);
        Assert.Equal(L1KeyVerifier.L2KeyBytes, seen!.Length);
        Assert.Contains("wrapped under the L1 key of primary_fake_kms", result.Message, StringComparison.Ordinal);
        Assert.Equal([KeyOperationKind.Wrap, KeyOperationKind.Unwrap], _operations.Records.Select(r => r.Operation));
        var entry = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyL1));
        Assert.Equal((AuditOutcome.Success, _keystore.Id, (Guid?)_ctx.DefaultTenant.Id), (entry.Outcome, entry.KeystoreId!.Value, entry.TenantId));
        Assert.Contains("l2_bits=256 wrapped_bytes=33", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(seen), entry.Detail ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task VerifyAsync_EachRun_UsesAFreshKey()
    {
        var keys = new List<byte[]>();
        _plugin.OnWrap = (_, plaintext, _) =>
        {
            keys.Add(plaintext.ToArray());
            return Task.FromResult(plaintext.ToArray());
        };
        _plugin.OnUnwrap = (_, wrapped, _) => Task.FromResult(wrapped.ToArray());

        Assert.True((await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None)).Succeeded);
        Assert.True((await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None)).Succeeded);

        Assert.Equal(2, keys.Count);
        Assert.NotEqual(keys[0], keys[1]);
    }

    [Fact]
    public async Task VerifyAsync_UnwrapReturnsOtherBytes_FailsAndSaysSo()
    {
        _plugin.OnWrap = (_, plaintext, _) => Task.FromResult(plaintext.ToArray());
        _plugin.OnUnwrap = (_, wrapped, _) => Task.FromResult(new byte[wrapped.Length]);

        var result = await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("unwrapped the tenant key to different bytes", result.Message, StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Failure, Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyL1)).Outcome);
    }

    [Fact]
    public async Task VerifyAsync_KeystoreRefusesTheWrap_ReportsTheKeystoresMessageAndKind()
    {
        _plugin.OnWrap = (_, _, _) => throw new KeystoreException(KeystoreErrorKind.PermissionDenied, "kms:Encrypt is not allowed on the key.");

        var result = await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(KeystoreErrorKind.PermissionDenied, result.ErrorKind);
        Assert.Equal("Wrapping the tenant key failed: kms:Encrypt is not allowed on the key.", result.Message);
        var entry = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyL1));
        Assert.Equal(AuditOutcome.Failure, entry.Outcome);
        Assert.Contains("error=PermissionDenied", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_KeystoreNotActive_FailsWithoutReachingAKeystore()
    {
        _catalog.SetActive();

        var result = await _verifier.VerifyAsync(_keystore.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("is not active", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, _plugin.ConnectCalls);
    }

    [Fact]
    public async Task VerifyAsync_UnknownKeystore_Throws()
    {
        var error = await Assert.ThrowsAsync<KeystoreCommandException>(
            () => _verifier.VerifyAsync(Guid.NewGuid(), CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.KeystoreNotFound, error.Error);
    }
}

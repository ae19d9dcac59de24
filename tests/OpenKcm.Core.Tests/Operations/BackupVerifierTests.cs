using System.Collections.Immutable;
using System.Security.Cryptography;
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
/// Verify backup against a real keystore service and audit log (SQLite); the two keystores' connections come from a
/// fake plugin whose "L1 key" is a per-keystore AES-GCM key, so two keystores hold the same L1 or not.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync, which xunit calls.")]
public sealed class BackupVerifierTests : IAsyncLifetime
{
    private readonly FakeKeystoreCatalog _catalog = new();
    private readonly FakeKeystorePlugin _plugin = new();
    private readonly Dictionary<string, byte[]> _l1ByName = [];
    private CoreTestContext _ctx = null!;
    private KeystoreConnectionManager _connections = null!;
    private BackupVerifier _verifier = null!;
    private KeystoreInfo _primary = null!;
    private KeystoreInfo _backup = null!;

    public async Task InitializeAsync()
    {
        _ctx = await CoreTestContext.CreateAsync();
        _primary = await CreateAsync("primary_fake_kms");
        _backup = await CreateAsync("backup_fake_kms");
        _primary = await _ctx.Keystores.SetBackupAsync(_primary.Id, _backup.Id, CoreTestContext.Admin, CancellationToken.None);
        _catalog.SetActive(TestKeystores.Create(_primary.Name, id: _primary.Id), TestKeystores.Create(_backup.Name, id: _backup.Id));
        var shared = RandomNumberGenerator.GetBytes(32);
        _l1ByName[_primary.Name] = shared;
        _l1ByName[_backup.Name] = shared;
        _plugin.OnWrap = (settings, plaintext, _) => Task.FromResult(Seal(_l1ByName[settings.Get(TestKeystores.NameField)!], plaintext.Span));
        _plugin.OnUnwrap = (settings, wrapped, _) => Task.FromResult(Open(_l1ByName[settings.Get(TestKeystores.NameField)!], wrapped.ToArray()));
        var options = Options.Create(new KeyOperationOptions { MaxRetryAttempts = 0 });
        _connections = new KeystoreConnectionManager(_catalog, new PluginRegistry([_plugin]), _ctx.Time, options, NullLogger<KeystoreConnectionManager>.Instance);
        _verifier = new BackupVerifier(_connections, _ctx.Keystores, _ctx.Audit, _ctx.Time);
    }

    public async Task DisposeAsync()
    {
        await _connections.DisposeAsync();
        await _ctx.DisposeAsync();
    }

    [Fact]
    public async Task VerifyAsync_SameL1_SucceedsWrapsOnPrimaryUnwrapsOnBackupAndIsAudited()
    {
        var result = await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("wrapped by primary_fake_kms v1 was unwrapped by backup_fake_kms v1", result.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (_plugin.ConnectionsFor(_primary.Name).Sum(c => c.WrapCalls), _plugin.ConnectionsFor(_primary.Name).Sum(c => c.UnwrapCalls)));
        Assert.Equal((0, 1), (_plugin.ConnectionsFor(_backup.Name).Sum(c => c.WrapCalls), _plugin.ConnectionsFor(_backup.Name).Sum(c => c.UnwrapCalls)));
        var entry = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyBackup));
        Assert.Equal((AuditOutcome.Success, _primary.Id), (entry.Outcome, entry.KeystoreId!.Value));
        Assert.Equal("primary=primary_fake_kms backup=backup_fake_kms value_bits=256", entry.Detail);
    }

    [Fact]
    public async Task VerifyAsync_Success_IsRecordedForTheActiveVersions_AndGoesStaleOnANewVersionOrAnotherBackup()
    {
        await ActivateAsync(_primary.Id);
        await ActivateAsync(_backup.Id);
        Assert.False((await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!.BackupVerified);
        Assert.False(Active(await _ctx.Keystores.GetActiveAsync(CancellationToken.None), _primary.Id).BackupVerified);

        var result = await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        var info = (await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!;
        Assert.True(info.BackupVerified);
        Assert.Equal(new BackupVerificationRecord(_backup.Id, 1, 1, _ctx.Time.GetUtcNow()), info.BackupVerification);
        Assert.Equal(result.VerifiedAt, info.BackupVerification!.VerifiedAt);
        Assert.True(Assert.Single(await _ctx.Keystores.ListAsync(null, CancellationToken.None), k => k.Id == _primary.Id).BackupVerified);
        Assert.True(Active(await _ctx.Keystores.GetActiveAsync(CancellationToken.None), _primary.Id).BackupVerified);

        // A new active version of the backup: the proof no longer covers what the backup serves.
        var v1 = (await _ctx.Keystores.GetVersionAsync(_backup.Id, 1, CancellationToken.None))!;
        using (var rotated = new SecretValue("good-rotated"))
        {
            await _ctx.Keystores.SaveVersionAsync(_backup.Id, v1.Settings, new Dictionary<string, SecretValue> { ["api_key"] = rotated },
                CoreTestContext.Admin, CancellationToken.None);
        }

        await ActivateAsync(_backup.Id, version: 2);
        info = (await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!;
        Assert.False(info.BackupVerified);
        Assert.NotNull(info.BackupVerification);
        Assert.False(Active(await _ctx.Keystores.GetActiveAsync(CancellationToken.None), _primary.Id).BackupVerified);

        // Naming the backup again clears the proof.
        await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);
        Assert.True((await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!.BackupVerified);
        info = await _ctx.Keystores.SetBackupAsync(_primary.Id, _backup.Id, CoreTestContext.Admin, CancellationToken.None);
        Assert.False(info.BackupVerified);
        Assert.Null(info.BackupVerification);
    }

    [Fact]
    public async Task VerifyAsync_Failure_RecordsNothing()
    {
        await ActivateAsync(_primary.Id);
        await ActivateAsync(_backup.Id);
        _l1ByName[_backup.Name] = RandomNumberGenerator.GetBytes(32);

        Assert.False((await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None)).Succeeded);

        var info = (await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!;
        Assert.Null(info.BackupVerification);
        Assert.False(info.BackupVerified);
    }

    [Fact]
    public async Task VerifyAsync_BackupHoldsAnotherL1_FailsAndSaysSo()
    {
        _l1ByName[_backup.Name] = RandomNumberGenerator.GetBytes(32);

        var result = await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(KeystoreErrorKind.InvalidResponse, result.ErrorKind);
        Assert.Contains("Unwrapping on backup_fake_kms failed", result.Message, StringComparison.Ordinal);
        Assert.Contains("may not hold the same L1 key", result.Message, StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Failure, Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyBackup)).Outcome);
    }

    [Fact]
    public async Task VerifyAsync_BackupReturnsOtherBytes_Fails()
    {
        _plugin.OnUnwrap = (_, wrapped, _) => Task.FromResult(new byte[BackupVerifier.ValueBytes]);

        var result = await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("to different bytes", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_BackupNotActive_FailsWithoutTouchingIt()
    {
        _catalog.SetActive(TestKeystores.Create(_primary.Name, id: _primary.Id));

        var result = await _verifier.VerifyAsync(_primary.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("backup_fake_kms is not active; both keystores must be active to verify the backup.", result.Message);
        Assert.Empty(_plugin.ConnectionsFor(_backup.Name));
    }

    [Fact]
    public async Task VerifyAsync_NoBackupNamed_FailsAndIsAudited()
    {
        var result = await _verifier.VerifyAsync(_backup.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("backup_fake_kms names no backup keystore.", result.Message);
        Assert.Contains("backup=none", Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreVerifyBackup)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_UnknownKeystore_Throws()
    {
        var error = await Assert.ThrowsAsync<KeystoreCommandException>(() => _verifier.VerifyAsync(Guid.NewGuid(), CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.KeystoreNotFound, error.Error);
    }

    private static ActiveKeystore Active(IReadOnlyList<ActiveKeystore> active, Guid id) => Assert.Single(active, k => k.Id == id);

    /// <summary>Tests and activates a version in the catalog, and serves that version from the fake catalog too.</summary>
    private async Task ActivateAsync(Guid keystoreId, int version = 1)
    {
        await foreach (var _ in _ctx.Keystores.TestAsync(keystoreId, version, CoreTestContext.Admin, CancellationToken.None))
        {
        }

        await _ctx.Keystores.ActivateAsync(keystoreId, version, CoreTestContext.Admin, CancellationToken.None);
        var primaryVersion = (await _ctx.Keystores.GetAsync(_primary.Id, CancellationToken.None))!.ActiveVersion ?? 1;
        var backupVersion = (await _ctx.Keystores.GetAsync(_backup.Id, CancellationToken.None))!.ActiveVersion ?? 1;
        _catalog.SetActive(
            TestKeystores.Create(_primary.Name, version: primaryVersion, id: _primary.Id), TestKeystores.Create(_backup.Name, version: backupVersion, id: _backup.Id));
    }

    private static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext)
    {
        using var gcm = new AesGcm(key, 16);
        var output = new byte[12 + plaintext.Length + 16];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        gcm.Encrypt(output.AsSpan(0, 12), plaintext, output.AsSpan(12, plaintext.Length), output.AsSpan(12 + plaintext.Length));
        return output;
    }

    private static byte[] Open(byte[] key, byte[] wrapped)
    {
        using var gcm = new AesGcm(key, 16);
        var plaintext = new byte[wrapped.Length - 28];
        try
        {
            gcm.Decrypt(wrapped.AsSpan(0, 12), wrapped.AsSpan(12, plaintext.Length), wrapped.AsSpan(12 + plaintext.Length), plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse, "Decryption failed: the ciphertext does not authenticate.");
        }

        return plaintext;
    }

    private async Task<KeystoreInfo> CreateAsync(string name)
    {
        var created = await _ctx.Keystores.CreateDraftAsync(new KeystoreDraft
        {
            TenantId = _ctx.DefaultTenant.Id,
            Kind = TestSupport.FakeKeystorePlugin.Kind,
            Name = name,
            Settings = new KeystoreSettings(new Dictionary<string, string> { ["endpoint"] = "https://kms.example.test", ["region"] = "us-east-1" }
                .ToImmutableDictionary(StringComparer.Ordinal)),
            Secrets = new Dictionary<string, SecretValue> { ["api_key"] = new("good-key") },
        }, CoreTestContext.Admin, CancellationToken.None);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
        return created.Value;
    }
}

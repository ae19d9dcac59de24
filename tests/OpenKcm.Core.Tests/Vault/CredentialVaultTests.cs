using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Vault;

public sealed class CredentialVaultTests : IAsyncLifetime
{
    private static readonly Guid s_owner = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid s_otherOwner = Guid.Parse("22222222-2222-2222-2222-222222222222");
    private CoreTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await CoreTestContext.CreateAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task StoreAsync_ThenReadAsync_ReturnsTheValue()
    {
        using var value = new SecretValue("s3cr3t-api-key");

        var version = await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);
        using var read = await _ctx.Vault.ReadAsync(s_owner, "api_key", version, "test", CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(1, version);
        Assert.Equal("s3cr3t-api-key", read!.Reveal());
    }

    [Fact]
    public async Task StoreAsync_SameFieldTwice_KeepsBothVersions()
    {
        using var first = new SecretValue("one");
        using var second = new SecretValue("two");

        var v1 = await _ctx.Vault.StoreAsync(s_owner, "api_key", first, CoreTestContext.Admin, CancellationToken.None);
        var v2 = await _ctx.Vault.StoreAsync(s_owner, "api_key", second, CoreTestContext.Admin, CancellationToken.None);

        using var read1 = await _ctx.Vault.ReadAsync(s_owner, "api_key", v1, "test", CoreTestContext.Admin, CancellationToken.None);
        using var read2 = await _ctx.Vault.ReadAsync(s_owner, "api_key", v2, "test", CoreTestContext.Admin, CancellationToken.None);
        Assert.Equal((1, 2), (v1, v2));
        Assert.Equal(("one", "two"), (read1!.Reveal(), read2!.Reveal()));
    }

    [Fact]
    public async Task StoreAsync_Value_IsNotStoredInPlainText()
    {
        using var value = new SecretValue("find-me-in-the-file");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);
        await _ctx.Audit.DisposeAsync();

        var bytes = await File.ReadAllBytesAsync(_ctx.DatabasePath);
        var wal = _ctx.DatabasePath + "-wal";
        var walBytes = File.Exists(wal) ? await File.ReadAllBytesAsync(wal) : [];

        Assert.DoesNotContain("find-me-in-the-file", System.Text.Encoding.UTF8.GetString([.. bytes, .. walBytes]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TamperedCiphertext_ThrowsVaultIntegrityException()
    {
        using var value = new SecretValue("original");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);
        // Flip the last byte of the ciphertext (inside the encrypted value, past nonce and tag).
        await _ctx.ExecuteSqlAsync(
            "UPDATE stored_secrets SET ciphertext = substr(ciphertext, 1, length(ciphertext) - 1) || " +
            "CASE WHEN substr(ciphertext, -1) = x'00' THEN x'01' ELSE x'00' END");

        var ex = await Assert.ThrowsAsync<VaultIntegrityException>(() =>
            _ctx.Vault.ReadAsync(s_owner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(("api_key", 1), (ex.Field, ex.Version));
        Assert.Contains("does not decrypt", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("field")]
    [InlineData("version")]
    public async Task ReadAsync_CiphertextCopiedToAnotherRow_ThrowsVaultIntegrityException(string moved)
    {
        using var secret = new SecretValue("keystore-a-secret");
        using var other = new SecretValue("something else");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", secret, CoreTestContext.Admin, CancellationToken.None);
        var (targetOwner, targetField) = moved switch
        {
            "owner" => (s_otherOwner, "api_key"),
            "field" => (s_owner, "client_key"),
            _ => (s_owner, "api_key"),
        };
        var targetVersion = await _ctx.Vault.StoreAsync(targetOwner, targetField, other, CoreTestContext.Admin, CancellationToken.None);
        // Copy both the ciphertext and its wrapped data key over the other row, as someone with database access could.
        await _ctx.ExecuteSqlAsync(
            "UPDATE stored_secrets SET " +
            "ciphertext = (SELECT ciphertext FROM stored_secrets WHERE owner_id = $so AND field = 'api_key' AND version = 1), " +
            "wrapped_data_key = (SELECT wrapped_data_key FROM stored_secrets WHERE owner_id = $so AND field = 'api_key' AND version = 1) " +
            "WHERE owner_id = $to AND field = $tf AND version = $tv",
            ("$so", s_owner.ToString().ToUpperInvariant()), ("$to", targetOwner.ToString().ToUpperInvariant()),
            ("$tf", targetField), ("$tv", targetVersion));

        var ex = await Assert.ThrowsAsync<VaultIntegrityException>(() =>
            _ctx.Vault.ReadAsync(targetOwner, targetField, targetVersion, "test", CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal((targetOwner, targetField, targetVersion), (ex.OwnerId, ex.Field, ex.Version));
        var failures = await _ctx.AuditEntriesAsync(AuditActions.SecretUse);
        Assert.Equal(AuditOutcome.Failure, Assert.Single(failures).Outcome);
    }

    [Fact]
    public async Task ReadAsync_Success_AuditsUseWithPurposeButNeverTheValue()
    {
        using var value = new SecretValue("never-in-audit");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);

        using var _ = await _ctx.Vault.ReadAsync(s_owner, "api_key", 1, "health probe", CoreTestContext.Admin, CancellationToken.None);

        var page = await _ctx.Audit.QueryAsync(new AuditQuery { ActionPrefix = "secret." }, CancellationToken.None);
        Assert.Equal([AuditActions.SecretUse, AuditActions.SecretWrite], page.Entries.Select(e => e.Action));
        var use = page.Entries[0];
        Assert.Equal((AuditOutcome.Success, CoreTestContext.Admin.Id, s_owner), (use.Outcome, use.ActorId, use.KeystoreId));
        Assert.Contains("purpose=health probe", use.Detail, StringComparison.Ordinal);
        Assert.Contains("field=api_key", use.Detail, StringComparison.Ordinal);
        Assert.All(page.Entries, e => Assert.DoesNotContain("never-in-audit", e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_MissingVersion_ReturnsNull()
    {
        var read = await _ctx.Vault.ReadAsync(s_owner, "api_key", 7, "test", CoreTestContext.Admin, CancellationToken.None);

        Assert.Null(read);
    }

    [Fact]
    public async Task StoreAsync_AuditWriteFails_StoresNothing()
    {
        await _ctx.BreakAuditWritesAsync();
        using var value = new SecretValue("x");

        await Assert.ThrowsAsync<AuditWriteException>(() =>
            _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(0, await _ctx.CountAsync("stored_secrets"));
    }

    [Fact]
    public async Task ReadAsync_AuditWriteFails_DoesNotReturnTheSecret()
    {
        using var value = new SecretValue("x");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);
        await _ctx.BreakAuditWritesAsync();

        await Assert.ThrowsAsync<AuditWriteException>(() =>
            _ctx.Vault.ReadAsync(s_owner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None));
    }

    [Fact]
    public async Task GetStatusAsync_AfterRotation_ReportsLatestVersionAndWhen()
    {
        using var first = new SecretValue("one");
        using var second = new SecretValue("two");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", first, CoreTestContext.Admin, CancellationToken.None);
        _ctx.Time.Advance(TimeSpan.FromDays(3));
        await _ctx.Vault.StoreAsync(s_owner, "api_key", second, CoreTestContext.Admin, CancellationToken.None);

        var status = Assert.Single(await _ctx.Vault.GetStatusAsync(s_owner, CancellationToken.None));

        Assert.Equal(new SecretStatus("api_key", 2, _ctx.Time.GetUtcNow()), status);
        Assert.True(status.IsSet);
    }

    [Fact]
    public async Task RewrapAllAsync_NewKek_RewrapsDataKeysOnlyAndSecretsStillDecrypt()
    {
        using var a = new SecretValue("value-a");
        using var b = new SecretValue("value-b");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", a, CoreTestContext.Admin, CancellationToken.None);
        await _ctx.Vault.StoreAsync(s_otherOwner, "api_key", b, CoreTestContext.Admin, CancellationToken.None);
        var ciphertextsBefore = await ReadColumnAsync("ciphertext");
        var oldKekId = _ctx.Kek.GetCurrent().Id;
        using var newKek = KeyEncryptionKey.Generate();

        var count = await _ctx.Vault.RewrapAllAsync(newKek, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(2, count);
        Assert.Equal(ciphertextsBefore, await ReadColumnAsync("ciphertext"));
        Assert.All(await ReadColumnAsync("kek_id"), id => Assert.Equal(newKek.Id, id));
        Assert.Equal(newKek.Id, _ctx.Vault.CurrentKek.Id);
        Assert.Equal(0, await _ctx.Vault.RewrapAllAsync(newKek, CoreTestContext.Admin, CancellationToken.None));

        // A process restarted with only the new KEK installed reads every secret.
        var restarted = new CredentialVault(_ctx.Db, new FixedKekProvider(newKek), _ctx.Audit, _ctx.Time);
        using var readA = await restarted.ReadAsync(s_owner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None);
        using var readB = await restarted.ReadAsync(s_otherOwner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None);
        Assert.Equal(("value-a", "value-b"), (readA!.Reveal(), readB!.Reveal()));

        // ...and one restarted with only the old KEK gets a clear error naming the KEK it needs.
        var stale = new CredentialVault(_ctx.Db, _ctx.Kek, _ctx.Audit, _ctx.Time);
        var ex = await Assert.ThrowsAsync<VaultIntegrityException>(() =>
            stale.ReadAsync(s_owner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None));
        Assert.Contains(newKek.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains(oldKekId, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretValue_ToString_IsRedacted()
    {
        using var value = new SecretValue("do-not-log");
        await _ctx.Vault.StoreAsync(s_owner, "api_key", value, CoreTestContext.Admin, CancellationToken.None);
        using var read = await _ctx.Vault.ReadAsync(s_owner, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(SecretValue.Redacted, $"{read}");
    }

    private async Task<List<string>> ReadColumnAsync(string column)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_ctx.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {column} FROM stored_secrets ORDER BY owner_id, field, version";
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0) is byte[] bytes ? Convert.ToHexString(bytes) : reader.GetString(0));
        }

        return values;
    }

    private sealed class FixedKekProvider(KeyEncryptionKey kek) : IKeyEncryptionKeyProvider
    {
        public string Source => "test";

        public KeyEncryptionKey GetCurrent() => kek;
    }
}

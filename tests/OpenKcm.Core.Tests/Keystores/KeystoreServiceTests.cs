using System.Collections.Immutable;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Keystores;

public sealed class KeystoreServiceTests : IAsyncLifetime
{
    private CoreTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await CoreTestContext.CreateAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task CreateDraftAsync_ValidDraft_SavesVersion1InDraftWithItsSecretInTheVault()
    {
        var keystore = await CreateAsync("primary_fake_kms");

        Assert.Equal((KeystoreState.Draft, 1, (int?)null), (keystore.State, keystore.CurrentVersion, keystore.ActiveVersion));
        Assert.Equal(("default", FakeKeystorePlugin.Kind), (keystore.TenantName, keystore.Kind));
        var version = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        Assert.Equal("https://kms.example.test", version.Settings.Get("endpoint"));
        Assert.Equal("a\nb", version.Settings.Get("hosts"));
        Assert.Equal(ImmutableDictionary<string, int>.Empty.Add("api_key", 1), version.SecretVersions);
        Assert.False(version.Settings.Values.ContainsKey("api_key"));
        using var secret = await _ctx.Vault.ReadAsync(keystore.Id, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None);
        Assert.Equal("good-key", secret!.Reveal());

        var actions = (await _ctx.Audit.QueryAsync(new AuditQuery { KeystoreId = keystore.Id, Take = 10 }, CancellationToken.None)).Entries;
        var create = actions.Single(e => e.Action == AuditActions.KeystoreCreate);
        Assert.Equal((keystore.TenantId, AuditOutcome.Success, CoreTestContext.Admin.Name), (create.TenantId, create.Outcome, create.ActorName));
        Assert.Contains(actions, e => e.Action == AuditActions.SecretWrite && e.Detail!.Contains("field=api_key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateDraftAsync_InvalidInput_SavesNothingAndNamesEachField()
    {
        using var key = new SecretValue("good-key");
        var draft = new KeystoreDraft
        {
            TenantId = _ctx.DefaultTenant.Id,
            Kind = FakeKeystorePlugin.Kind,
            Name = "Bad Name",
            Settings = Settings(("endpoint", "ftp://nope"), ("region", "nowhere"), ("slot_id", "one"), ("auth_method", "magic"), ("colour", "blue")),
            Secrets = new Dictionary<string, SecretValue> { ["api_key"] = key },
        };

        var result = await _ctx.Keystores.CreateDraftAsync(draft, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(
            ["auth_method", "colour", "endpoint", "plugin_name", "region", "slot_id"],
            result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Equal(0, await _ctx.CountAsync("keystores"));
        Assert.Equal(0, await _ctx.CountAsync("keystore_versions"));
        Assert.Equal(0, await _ctx.CountAsync("stored_secrets"));
        Assert.Equal(AuditOutcome.Failure, Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreCreate)).Outcome);
    }

    [Fact]
    public async Task CreateDraftAsync_MissingRequiredSecret_ReturnsAnErrorForIt()
    {
        var result = await _ctx.Keystores.CreateDraftAsync(Draft("no_secret", apiKey: null), CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal("api_key", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public async Task CreateDraftAsync_NameTakenInTheTenant_ReturnsAnError()
    {
        await CreateAsync("primary_fake_kms");

        var result = await _ctx.Keystores.CreateDraftAsync(Draft("primary_fake_kms"), CoreTestContext.Admin, CancellationToken.None);

        Assert.Contains("already has a keystore", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateDraftAsync_SameNameInAnotherTenant_Succeeds()
    {
        await CreateAsync("primary_fake_kms");
        var other = (await _ctx.Tenants.AddAsync("acme", CoreTestContext.Admin, CancellationToken.None)).Value!;

        var result = await _ctx.Keystores.CreateDraftAsync(Draft("primary_fake_kms", tenantId: other.Id), CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Single(await _ctx.Keystores.ListAsync(other.Id, CancellationToken.None));
        Assert.Equal(2, (await _ctx.Keystores.ListAsync(null, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task CreateDraftAsync_UnknownKind_ListsTheRegisteredKinds()
    {
        var draft = new KeystoreDraft { TenantId = _ctx.DefaultTenant.Id, Kind = "aws_kms", Name = "primary_aws_kms" };

        var result = await _ctx.Keystores.CreateDraftAsync(draft, CoreTestContext.Admin, CancellationToken.None);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("plugin_type", true), (error.Field, error.Message.Contains(FakeKeystorePlugin.Kind, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CreateDraftAsync_AuditWriteFails_SavesNothing()
    {
        await _ctx.BreakAuditWritesAsync();

        await Assert.ThrowsAsync<AuditWriteException>(() =>
            _ctx.Keystores.CreateDraftAsync(Draft("primary_fake_kms"), CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(0, await _ctx.CountAsync("keystores"));
        Assert.Equal(0, await _ctx.CountAsync("keystore_versions"));
        Assert.Equal(0, await _ctx.CountAsync("stored_secrets"));
    }

    [Fact]
    public async Task CreateDraftAsync_CommitFailsAfterTheAuditEntry_RecordsTheFailureToo()
    {
        await _ctx.ExecuteSqlAsync("CREATE TRIGGER fail_keystores BEFORE INSERT ON keystores BEGIN SELECT RAISE(ABORT, 'io error'); END;");

        await Assert.ThrowsAnyAsync<Microsoft.EntityFrameworkCore.DbUpdateException>(() =>
            _ctx.Keystores.CreateDraftAsync(Draft("primary_fake_kms"), CoreTestContext.Admin, CancellationToken.None));

        var entries = await _ctx.AuditEntriesAsync(AuditActions.KeystoreCreate);
        Assert.Equal([AuditOutcome.Failure, AuditOutcome.Success], entries.Select(e => e.Outcome));
        Assert.Contains("not committed", entries[0].Detail, StringComparison.Ordinal);
        Assert.Equal(0, await _ctx.CountAsync("stored_secrets"));
    }

    [Fact]
    public async Task SaveVersionAsync_KeystoreChangedMeanwhile_ThrowsConcurrentChangeAndSavesNothing()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        _ctx.Plugin.DuringValidate = () => _ctx.ExecuteSql("UPDATE keystores SET revision = revision + 1");

        var ex = await Assert.ThrowsAsync<KeystoreCommandException>(() => _ctx.Keystores.SaveVersionAsync(
            keystore.Id, current.Settings.With("region", "eu-west-1"), null, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.ConcurrentChange, ex.Error);
        Assert.Equal(1, await _ctx.CountAsync("keystore_versions"));
    }

    [Fact]
    public async Task SaveVersionAsync_NothingChanged_CreatesNoVersion()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        using var blank = new SecretValue("");

        var result = await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings,
            new Dictionary<string, SecretValue> { ["api_key"] = blank }, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal((1, false), (result.Value!.Version.Version, result.Value.Created));
        Assert.Equal(1, await _ctx.CountAsync("keystore_versions"));
    }

    [Fact]
    public async Task SaveVersionAsync_RequiredSecretRemoved_RefusesWithTheFieldAndSavesNothing()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;

        var result = await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings, null, CoreTestContext.Admin,
            CancellationToken.None, removedSecrets: new HashSet<string> { "api_key" });

        Assert.Contains(result.Errors, e => e.Field == "api_key");
        Assert.Equal(1, await _ctx.CountAsync("keystore_versions"));
    }

    [Fact]
    public async Task SaveVersionAsync_SecretRemovedAndEnteredTogether_StoresTheEnteredValue()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        using var replacement = new SecretValue("good-replacement");

        var result = await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings,
            new Dictionary<string, SecretValue> { ["api_key"] = replacement }, CoreTestContext.Admin,
            CancellationToken.None, removedSecrets: new HashSet<string> { "api_key" });

        Assert.Equal(2, result.Value!.Version.SecretVersions["api_key"]);
        var update = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreUpdate));
        Assert.DoesNotContain("removed_secrets", update.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveVersionAsync_SettingChangedAndSecretBlank_KeepsThePreviousSecretVersion()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;

        var result = await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings.With("region", "eu-west-1"), null,
            CoreTestContext.Admin, CancellationToken.None);

        var saved = result.Value!;
        Assert.Equal((2, true), (saved.Version.Version, saved.Created));
        Assert.Equal("eu-west-1", saved.Version.Settings.Get("region"));
        Assert.Equal(1, saved.Version.SecretVersions["api_key"]);
        Assert.Equal(1, await _ctx.CountAsync("stored_secrets"));
        var update = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreUpdate));
        Assert.Contains("changed=region", update.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveVersionAsync_SecretEntered_StoresANewSecretVersionAndKeepsTheOld()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        using var rotated = new SecretValue("good-rotated");

        var result = await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings,
            new Dictionary<string, SecretValue> { ["api_key"] = rotated }, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(2, result.Value!.Version.SecretVersions["api_key"]);
        using var old = await _ctx.Vault.ReadAsync(keystore.Id, "api_key", 1, "test", CoreTestContext.Admin, CancellationToken.None);
        Assert.Equal("good-key", old!.Reveal());
        var status = await _ctx.Keystores.GetSecretStatusAsync(keystore.Id, 2, CancellationToken.None);
        Assert.Equal<SecretStatus>([new SecretStatus("api_key", 2, _ctx.Time.GetUtcNow()), new SecretStatus("client_key", null, null)], status);
    }

    [Fact]
    public async Task SaveVersionAsync_TestedKeystore_GoesBackToDraft()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        await _ctx.Keystores.RecordTestAsync(keystore.Id, 1, Passed(), CoreTestContext.Admin, CancellationToken.None);
        var current = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;

        await _ctx.Keystores.SaveVersionAsync(keystore.Id, current.Settings.With("slot_id", "7"), null, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(KeystoreState.Draft, (await _ctx.Keystores.GetAsync(keystore.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task RecordTestAsync_AllPassedOrWarning_MakesTheDraftTested()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var results = new[]
        {
            new CheckResult("reach", CheckOutcome.Passed, TimeSpan.FromMilliseconds(3), "ok"),
            new CheckResult("authenticate", CheckOutcome.Warning, TimeSpan.FromMilliseconds(4), "expires soon", "Rotate it."),
        };

        var version = await _ctx.Keystores.RecordTestAsync(keystore.Id, 1, results, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(KeystoreTestOutcome.PassedWithWarnings, version.TestOutcome);
        Assert.Equal(results, version.TestResults);
        var info = (await _ctx.Keystores.GetAsync(keystore.Id, CancellationToken.None))!;
        Assert.Equal(KeystoreState.Tested, info.State);
        Assert.Equal(new KeystoreTestSummary(1, KeystoreTestOutcome.PassedWithWarnings, _ctx.Time.GetUtcNow()), info.LastTest);
    }

    [Fact]
    public async Task TestAsync_StoredVersion_StreamsThePluginChecksAndRecordsThem()
    {
        var keystore = await CreateAsync("primary_fake_kms");

        var streamed = new List<CheckResult>();
        await foreach (var result in _ctx.Keystores.TestAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None))
        {
            streamed.Add(result);
        }

        Assert.Equal(["reach", "authenticate", "wrap"], streamed.Select(r => r.Id));
        Assert.Equal(KeystoreTestOutcome.Passed, (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!.TestOutcome);
        var use = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.SecretUse));
        Assert.Contains($"purpose={KeystoreService.TestPurpose}", use.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActivateAsync_UntestedVersion_IsRefusedAndAuditedAsDenied()
    {
        var keystore = await CreateAsync("primary_fake_kms");

        var ex = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.ActivateAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.VersionNotTested, ex.Error);
        Assert.Contains("Run Test Connection", ex.Message, StringComparison.Ordinal);
        Assert.Equal(KeystoreState.Draft, (await _ctx.Keystores.GetAsync(keystore.Id, CancellationToken.None))!.State);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreActivate)).Outcome);
    }

    [Fact]
    public async Task ActivateAsync_VersionWhoseTestFailed_IsRefused()
    {
        var keystore = await CreateAsync("primary_fake_kms", apiKey: "wrong-key");
        await TestAsync(keystore.Id, 1);

        var ex = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.ActivateAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.VersionTestFailed, ex.Error);
        Assert.Null((await _ctx.Keystores.GetAsync(keystore.Id, CancellationToken.None))!.ActiveVersion);
    }

    [Fact]
    public async Task ActivateAsync_PassedVersion_ActivatesAndPublishesIt()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        await TestAsync(keystore.Id, 1);
        var changed = new List<Guid>();
        _ctx.Keystores.KeystoreChanged += changed.Add;

        var info = await _ctx.Keystores.ActivateAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal((KeystoreState.Active, (int?)1), (info.State, info.ActiveVersion));
        Assert.Equal([keystore.Id], changed);
        var active = Assert.Single(await _ctx.Keystores.GetActiveAsync(CancellationToken.None));
        Assert.Equal((keystore.Id, 1, "default", "https://kms.example.test"), (active.Id, active.Version, active.TenantName, active.Settings.Get("endpoint")));
        Assert.Equal(new KeystoreContext(keystore.Id, "primary_fake_kms", _ctx.DefaultTenant.Id, "default"), active.Settings.Context);
        using var secret = await active.Secrets.GetAsync("api_key", CancellationToken.None);
        Assert.Equal("good-key", secret!.Reveal());
        Assert.Equal(AuditOutcome.Success, Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreActivate)).Outcome);
    }

    [Fact]
    public async Task ActivateAsync_NewVersionOfAnActiveKeystore_NeedsItsOwnTest()
    {
        var keystore = await ActiveKeystoreAsync("primary_fake_kms");
        using var rotated = new SecretValue("good-rotated");
        var v1 = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        await _ctx.Keystores.SaveVersionAsync(keystore.Id, v1.Settings, new Dictionary<string, SecretValue> { ["api_key"] = rotated },
            CoreTestContext.Admin, CancellationToken.None);

        var info = (await _ctx.Keystores.GetAsync(keystore.Id, CancellationToken.None))!;
        await Assert.ThrowsAsync<KeystoreCommandException>(() => _ctx.Keystores.ActivateAsync(keystore.Id, 2, CoreTestContext.Admin, CancellationToken.None));
        await TestAsync(keystore.Id, 2);
        var activated = await _ctx.Keystores.ActivateAsync(keystore.Id, 2, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal((KeystoreState.Active, (int?)1, 2, true), (info.State, info.ActiveVersion, info.CurrentVersion, info.HasUndeployedChanges));
        Assert.Equal(2, activated.ActiveVersion);
    }

    [Fact]
    public async Task SuspendResumeRetire_FollowTheLifecycle()
    {
        var keystore = await ActiveKeystoreAsync("primary_fake_kms");

        var suspended = await _ctx.Keystores.SuspendAsync(keystore.Id, CoreTestContext.Admin, CancellationToken.None);
        var activeWhileSuspended = await _ctx.Keystores.GetActiveAsync(CancellationToken.None);
        var resumed = await _ctx.Keystores.ResumeAsync(keystore.Id, CoreTestContext.Admin, CancellationToken.None);
        var resumeAgain = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.ResumeAsync(keystore.Id, CoreTestContext.Admin, CancellationToken.None));
        var retired = await _ctx.Keystores.RetireAsync(keystore.Id, CoreTestContext.Admin, CancellationToken.None);
        var activateRetired = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.ActivateAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreState.Suspended, suspended.State);
        Assert.Empty(activeWhileSuspended);
        Assert.Equal((KeystoreState.Active, (int?)1), (resumed.State, resumed.ActiveVersion));
        Assert.Equal(KeystoreCommandError.InvalidState, resumeAgain.Error);
        Assert.Equal(KeystoreState.Retired, retired.State);
        Assert.Equal(KeystoreCommandError.InvalidState, activateRetired.Error);
        Assert.Empty(await _ctx.Keystores.GetActiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RollbackAsync_EarlierVersion_CreatesAnEqualUntestedVersion()
    {
        var keystore = await ActiveKeystoreAsync("primary_fake_kms");
        var v1 = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        using var rotated = new SecretValue("good-rotated");
        await _ctx.Keystores.SaveVersionAsync(keystore.Id, v1.Settings.With("region", "eu-west-1"),
            new Dictionary<string, SecretValue> { ["api_key"] = rotated }, CoreTestContext.Admin, CancellationToken.None);

        var rolledBack = await _ctx.Keystores.RollbackAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None);
        var again = await _ctx.Keystores.RollbackAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal((3, true), (rolledBack.Version.Version, rolledBack.Created));
        Assert.Equal(v1.Settings.Values, rolledBack.Version.Settings.Values);
        Assert.Equal(v1.SecretVersions, rolledBack.Version.SecretVersions);
        Assert.Null(rolledBack.Version.TestOutcome);
        Assert.Equal((3, false), (again.Version.Version, again.Created));
        await Assert.ThrowsAsync<KeystoreCommandException>(() => _ctx.Keystores.ActivateAsync(keystore.Id, 3, CoreTestContext.Admin, CancellationToken.None));
    }

    [Fact]
    public async Task SetBackupAsync_KeystoreOfAnotherTenant_IsRefused()
    {
        var primary = await CreateAsync("primary_fake_kms");
        var other = (await _ctx.Tenants.AddAsync("acme", CoreTestContext.Admin, CancellationToken.None)).Value!;
        var foreign = (await _ctx.Keystores.CreateDraftAsync(Draft("backup_fake_kms", tenantId: other.Id), CoreTestContext.Admin, CancellationToken.None)).Value!;

        var ex = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.SetBackupAsync(primary.Id, foreign.Id, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.InvalidBackup, ex.Error);
    }

    [Fact]
    public async Task SetBackupAsync_KeystoreOfAnotherKind_IsRefusedAndAudited()
    {
        var primary = await CreateAsync("primary_fake_kms");
        var backup = await CreateAsync("backup_fake_kms");
        await using (var db = _ctx.Db.CreateDbContext())
        {
            var row = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Keystores, k => k.Id == backup.Id);
            db.Entry(row).Property(nameof(Keystore.Kind)).CurrentValue = "other_kms";
            await db.SaveChangesAsync();
        }

        var ex = await Assert.ThrowsAsync<KeystoreCommandException>(() =>
            _ctx.Keystores.SetBackupAsync(primary.Id, backup.Id, CoreTestContext.Admin, CancellationToken.None));

        Assert.Equal(KeystoreCommandError.InvalidBackup, ex.Error);
        Assert.Contains("it is a other_kms keystore and primary_fake_kms is", ex.Message, StringComparison.Ordinal);
        Assert.Contains("same L1 key", ex.Message, StringComparison.Ordinal);
        Assert.Null((await _ctx.Keystores.GetAsync(primary.Id, CancellationToken.None))!.BackupKeystoreId);
    }

    [Fact]
    public async Task RetireAsync_KeystoreUsedAsBackup_ClearsTheBackupReference()
    {
        var primary = await CreateAsync("primary_fake_kms");
        var backup = await CreateAsync("backup_fake_kms");
        var withBackup = await _ctx.Keystores.SetBackupAsync(primary.Id, backup.Id, CoreTestContext.Admin, CancellationToken.None);

        await _ctx.Keystores.RetireAsync(backup.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(backup.Id, withBackup.BackupKeystoreId);
        Assert.Null((await _ctx.Keystores.GetAsync(primary.Id, CancellationToken.None))!.BackupKeystoreId);
    }

    [Fact]
    public async Task ExportAsync_Keystore_WritesTheSeedShapeWithoutAnySecret()
    {
        var keystore = await CreateAsync("primary_fake_kms");

        var json = await _ctx.Keystores.ExportAsync(keystore.Id, null, CoreTestContext.Admin, CancellationToken.None);

        Assert.DoesNotContain("good-key", json, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key", json, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(FakeKeystorePlugin.Kind, root.GetProperty("plugin_type").GetString());
        Assert.Equal("primary_fake_kms", root.GetProperty("plugin_name").GetString());
        var configuration = root.GetProperty("configuration");
        Assert.Equal(12, configuration.GetProperty("slot_id").GetInt32());
        Assert.Equal(["a", "b"], configuration.GetProperty("hosts").EnumerateArray().Select(e => e.GetString()));
        Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreExport));
    }

    [Fact]
    public async Task ExportThenParse_RoundTripsTheSettings()
    {
        var keystore = await CreateAsync("primary_fake_kms");
        var json = await _ctx.Keystores.ExportAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None);

        using var parsed = KeystoreJson.Parse(json, _ctx.Plugins);

        var v1 = (await _ctx.Keystores.GetVersionAsync(keystore.Id, 1, CancellationToken.None))!;
        Assert.True(parsed.Succeeded);
        Assert.Equal(v1.Settings.Values, parsed.Settings.Values);
        Assert.Empty(parsed.Secrets);
    }

    private async Task<KeystoreInfo> ActiveKeystoreAsync(string name)
    {
        var keystore = await CreateAsync(name);
        await TestAsync(keystore.Id, 1);
        return await _ctx.Keystores.ActivateAsync(keystore.Id, 1, CoreTestContext.Admin, CancellationToken.None);
    }

    private async Task TestAsync(Guid keystoreId, int version)
    {
        await foreach (var _ in _ctx.Keystores.TestAsync(keystoreId, version, CoreTestContext.Admin, CancellationToken.None))
        {
        }
    }

    private async Task<KeystoreInfo> CreateAsync(string name, string? apiKey = "good-key")
    {
        var result = await _ctx.Keystores.CreateDraftAsync(Draft(name, apiKey), CoreTestContext.Admin, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        return result.Value;
    }

    private KeystoreDraft Draft(string name, string? apiKey = "good-key", Guid? tenantId = null) => new()
    {
        TenantId = tenantId ?? _ctx.DefaultTenant.Id,
        Kind = FakeKeystorePlugin.Kind,
        Name = name,
        Settings = Settings(("endpoint", " https://kms.example.test "), ("region", "us-east-1"), ("slot_id", "12"), ("hosts", "a\r\n\r\n b \n")),
        Secrets = apiKey is null ? new Dictionary<string, SecretValue>() : new Dictionary<string, SecretValue> { ["api_key"] = new(apiKey) },
    };

    private static IReadOnlyList<CheckResult> Passed() =>
        [new CheckResult("reach", CheckOutcome.Passed, TimeSpan.FromMilliseconds(1), "ok")];

    private static KeystoreSettings Settings(params (string Name, string Value)[] values) =>
        new(values.ToImmutableDictionary(v => v.Name, v => v.Value));
}

using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// Keystore configuration, versions and lifecycle (Draft → Tested → Active ⇄ Suspended → Retired), and the
/// <see cref="IKeystoreCatalog"/> the health monitor and connection manager read.
/// <para>
/// Singleton; thread-safe: every call uses its own short-lived DbContext, and concurrent edits of one keystore are
/// caught by a concurrency token (<see cref="KeystoreCommandError.ConcurrentChange"/>). Every administrative command is
/// audited with actor, tenant, keystore and outcome; the entry is written before the change is committed, so a change
/// whose entry cannot be written fails (<see cref="AuditWriteException"/>) and leaves nothing behind. Input errors come
/// back as <see cref="CommandResult{T}"/> errors; refusals (state rules, untested versions) are thrown as
/// <see cref="KeystoreCommandException"/> after a "denied" entry. Cancellation stops a command before its audit entry
/// is written; after that the change is committed regardless.
/// </para>
/// </summary>
public sealed class KeystoreService : IKeystoreCatalog
{
    /// <summary>Audit purpose of secrets resolved by <see cref="TestAsync"/>.</summary>
    public const string TestPurpose = "test connection";

    /// <summary>Audit purpose of secrets resolved through <see cref="GetActiveAsync"/>.</summary>
    public const string ConnectPurpose = "connect";

    private static readonly Actor s_connectionActor = Actor.Component("keystore-connections");

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly CredentialVault _vault;
    private readonly AuditLog _audit;
    private readonly PluginRegistry _plugins;
    private readonly TimeProvider _time;
    private readonly ILogger<KeystoreService> _logger;

    internal KeystoreService(
        IDbContextFactory<OpenKcmDbContext> dbFactory, CredentialVault vault, AuditLog audit, PluginRegistry plugins,
        TimeProvider time, ILogger<KeystoreService> logger)
    {
        _dbFactory = dbFactory;
        _vault = vault;
        _audit = audit;
        _plugins = plugins;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    /// <remarks>Raised after every committed change of a keystore (any state change, new version, test, backup).</remarks>
    public event Action<Guid>? KeystoreChanged;

    /// <summary>
    /// Creates a keystore in Draft with configuration version 1, storing the entered secrets in the vault, all in one
    /// transaction. Validation (name rules, unique name in the tenant, field types, the plugin's
    /// <see cref="IKeystorePlugin.Validate"/>) errors come back in the result and nothing is saved.
    /// </summary>
    public async Task<CommandResult<KeystoreInfo>> CreateDraftAsync(KeystoreDraft draft, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        var name = draft.Name?.Trim() ?? "";
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == draft.TenantId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeystoreCommandException(KeystoreCommandError.TenantNotFound, $"Tenant {draft.TenantId} does not exist.");
            var record = new AuditRecord
            {
                Action = AuditActions.KeystoreCreate,
                Actor = actor,
                Outcome = AuditOutcome.Success,
                TenantId = tenant.Id,
                Detail = $"name={name} kind={draft.Kind}",
            };

            var errors = new List<FieldError>(KeystoreValidation.ValidateName(name));
            if (errors.Count == 0 && await db.Keystores.AnyAsync(k => k.TenantId == tenant.Id && k.Name == name, cancellationToken).ConfigureAwait(false))
            {
                errors.Add(new FieldError(KeystoreValidation.NameField, $"Tenant '{tenant.Name}' already has a keystore named '{name}'."));
            }

            var entered = Entered(draft.Secrets);
            var plugin = _plugins.Find(draft.Kind ?? "");
            var settings = KeystoreSettings.Empty;
            if (plugin is null)
            {
                errors.Add(new FieldError(KeystoreValidation.KindField, $"Unknown keystore type '{draft.Kind}'. Registered types: {RegisteredKinds()}."));
            }
            else
            {
                settings = KeystoreValidation.Normalize(plugin.Descriptor, draft.Settings);
                errors.AddRange(KeystoreValidation.Validate(plugin, settings, entered.Keys.ToHashSet(StringComparer.Ordinal), entered.Keys));
            }

            if (errors.Count > 0)
            {
                await _audit.AppendAsync(Rejected(record, errors), cancellationToken).ConfigureAwait(false);
                return new CommandResult<KeystoreInfo>(errors);
            }

            var now = _time.GetUtcNow();
            var keystore = new Keystore
            {
                Id = Guid.NewGuid(),
                TenantId = tenant.Id,
                Name = name,
                Kind = plugin!.Descriptor.Kind,
                State = KeystoreState.Draft,
                CurrentVersion = 1,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Keystores.Add(keystore);
            var records = new List<AuditRecord> { record with { KeystoreId = keystore.Id, Detail = record.Detail + " version=1" } };
            var secretVersions = await StageSecretsAsync(db, keystore, entered, ImmutableDictionary<string, int>.Empty, actor, records, cancellationToken).ConfigureAwait(false);
            db.KeystoreVersions.Add(NewVersion(keystore.Id, 1, KeystoreMapping.SettingsToJson(settings), KeystoreMapping.SecretVersionsToJson(secretVersions), actor, now));

            await CommitAsync(db, records, cancellationToken).ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return new CommandResult<KeystoreInfo>(KeystoreMapping.ToInfo(keystore, tenant.Name));
        }
    }

    /// <summary>
    /// Saves an edited configuration as a new version, but only if something changed: settings differ, a secret was
    /// entered (an entered secret replaces the stored one; a blank or missing secret keeps the previous secret version),
    /// or a stored secret is dropped (<paramref name="removedSecrets"/>: the new version has no value for that field, e.g.
    /// to switch from a stored secret to a file on the console host; earlier versions keep theirs for rollback).
    /// The new version is untested: a Tested keystore goes back to Draft; an Active one keeps serving its active version.
    /// </summary>
    public async Task<CommandResult<SavedKeystoreVersion>> SaveVersionAsync(
        Guid keystoreId, KeystoreSettings settings, IReadOnlyDictionary<string, SecretValue>? secrets, Actor actor,
        CancellationToken cancellationToken, IReadOnlySet<string>? removedSecrets = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(AuditActions.KeystoreUpdate, actor, keystore, "");
            await DenyIfRetiredAsync(keystore, record, cancellationToken).ConfigureAwait(false);
            var plugin = GetPlugin(keystore.Kind);
            var current = await LoadVersionAsync(db, keystore.Id, keystore.CurrentVersion, cancellationToken).ConfigureAwait(false);
            var currentSettings = KeystoreMapping.SettingsFromJson(current.SettingsJson);
            var normalized = KeystoreValidation.Normalize(plugin.Descriptor, settings);
            var entered = Entered(secrets);

            // A secret entered in the same save wins over removing it.
            var storedSecrets = KeystoreMapping.SecretVersionsFromJson(current.SecretVersionsJson);
            var droppedSecrets = storedSecrets.Keys
                .Where(f => removedSecrets?.Contains(f) == true && !entered.ContainsKey(f)).ToList();
            var currentSecrets = storedSecrets.RemoveRange(droppedSecrets);
            var secretsSet = currentSecrets.Keys.Concat(entered.Keys).ToHashSet(StringComparer.Ordinal);
            var errors = KeystoreValidation.Validate(plugin, normalized, secretsSet, entered.Keys);
            if (errors.Count > 0)
            {
                await _audit.AppendAsync(Rejected(record, errors), cancellationToken).ConfigureAwait(false);
                return new CommandResult<SavedKeystoreVersion>(errors);
            }

            var changed = ChangedFields(currentSettings, normalized);
            if (changed.Count == 0 && entered.Count == 0 && droppedSecrets.Count == 0)
            {
                return new CommandResult<SavedKeystoreVersion>(new SavedKeystoreVersion(KeystoreMapping.ToInfo(current), Created: false));
            }

            var version = keystore.CurrentVersion + 1;
            var records = new List<AuditRecord>
            {
                record with
                {
                    Detail = $"version={version} changed={Names(changed)} secrets={Names(entered.Keys.Order(StringComparer.Ordinal))}" +
                        (droppedSecrets.Count > 0 ? $" removed_secrets={Names(droppedSecrets.Order(StringComparer.Ordinal))}" : ""),
                },
            };
            var secretVersions = await StageSecretsAsync(db, keystore, entered, currentSecrets, actor, records, cancellationToken).ConfigureAwait(false);
            var row = NewVersion(keystore.Id, version, KeystoreMapping.SettingsToJson(normalized),
                KeystoreMapping.SecretVersionsToJson(secretVersions), actor, _time.GetUtcNow());
            db.KeystoreVersions.Add(row);
            keystore.CurrentVersion = version;
            if (keystore.State == KeystoreState.Tested)
            {
                keystore.State = KeystoreState.Draft;
            }

            Touch(keystore);
            await CommitAsync(db, records, cancellationToken).ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return new CommandResult<SavedKeystoreVersion>(new SavedKeystoreVersion(KeystoreMapping.ToInfo(row), Created: true));
        }
    }

    /// <summary>
    /// Records a Test Connection run of <paramref name="version"/>. The version passes when every check passed or
    /// warned; a Draft keystore whose current version passes becomes Tested (and a Tested one whose current version
    /// fails goes back to Draft). Audited as <c>keystore.test</c>.
    /// </summary>
    public async Task<KeystoreVersionInfo> RecordTestAsync(
        Guid keystoreId, int version, IReadOnlyList<CheckResult> results, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(actor);
        if (results.Count == 0)
        {
            throw new ArgumentException("A Test Connection run has at least one check result.", nameof(results));
        }

        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(AuditActions.KeystoreTest, actor, keystore, $"version={version}");
            await DenyIfRetiredAsync(keystore, record, cancellationToken).ConfigureAwait(false);
            var row = await FindVersionOrDenyAsync(db, keystore, version, record, cancellationToken).ConfigureAwait(false);

            var outcome = KeystoreMapping.Summarize(results);
            var passed = outcome != KeystoreTestOutcome.Failed;
            var now = _time.GetUtcNow();
            row.TestOutcome = outcome;
            row.TestedAt = now;
            row.TestResultsJson = KeystoreMapping.ChecksToJson(results);
            keystore.LastTestVersion = version;
            keystore.LastTestOutcome = outcome;
            keystore.LastTestedAt = now;
            if (version == keystore.CurrentVersion)
            {
                keystore.State = (keystore.State, passed) switch
                {
                    (KeystoreState.Draft, true) => KeystoreState.Tested,
                    (KeystoreState.Tested, false) => KeystoreState.Draft,
                    _ => keystore.State,
                };
            }

            Touch(keystore);
            var failed = results.Where(r => r.Outcome == CheckOutcome.Failed).Select(r => r.Id).ToList();
            await CommitAsync(db,
            [
                record with
                {
                    Outcome = passed ? AuditOutcome.Success : AuditOutcome.Failure,
                    Detail = $"{record.Detail} result={outcome}" + (failed.Count > 0 ? $" failed={string.Join(',', failed)}" : ""),
                },
            ], cancellationToken).ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return KeystoreMapping.ToInfo(row);
        }
    }

    /// <summary>
    /// Runs the plugin's Test Connection for a stored version, yielding each check as soon as it is known (for the live
    /// view), then records the run with <see cref="RecordTestAsync"/>. Secrets are resolved from the vault and audited
    /// with purpose <see cref="TestPurpose"/>. Cancelling the enumeration stops the test and records nothing.
    /// </summary>
    public async IAsyncEnumerable<CheckResult> TestAsync(
        Guid keystoreId, int version, Actor actor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var keystore = await GetAsync(keystoreId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(keystoreId);
        var row = await GetVersionAsync(keystoreId, version, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.VersionNotFound, $"{keystore.Name} has no version {version}.");
        var plugin = GetPlugin(keystore.Kind);
        var secrets = CreateSecretResolver(row, TestPurpose, actor);
        var results = new List<CheckResult>();
        await foreach (var result in plugin.TestConnectionAsync(row.Settings.WithContext(ContextOf(keystore)), secrets, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            results.Add(result);
            yield return result;
        }

        await RecordTestAsync(keystoreId, version, results, actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the active configuration and the keystore Active. Allowed only for a version
    /// whose last Test Connection passed; otherwise throws <see cref="KeystoreCommandException"/> with
    /// <see cref="KeystoreCommandError.VersionNotTested"/> or <see cref="KeystoreCommandError.VersionTestFailed"/>.
    /// </summary>
    public async Task<KeystoreInfo> ActivateAsync(Guid keystoreId, int version, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(AuditActions.KeystoreActivate, actor, keystore, $"version={version}");
            await DenyIfRetiredAsync(keystore, record, cancellationToken).ConfigureAwait(false);
            var row = await FindVersionOrDenyAsync(db, keystore, version, record, cancellationToken).ConfigureAwait(false);
            switch (row.TestOutcome)
            {
                case null:
                    throw await DenyAsync(record, KeystoreCommandError.VersionNotTested,
                        $"Version {version} of {keystore.Name} cannot be activated: it has not been tested. Run Test Connection " +
                        "for this version first.", cancellationToken).ConfigureAwait(false);
                case KeystoreTestOutcome.Failed:
                    throw await DenyAsync(record, KeystoreCommandError.VersionTestFailed,
                        $"Version {version} of {keystore.Name} cannot be activated: its Test Connection failed on " +
                        $"{row.TestedAt?.ToString("u", CultureInfo.InvariantCulture)}. Fix the configuration (saving creates a new " +
                        "version), test it, then activate.", cancellationToken).ConfigureAwait(false);
            }

            var previous = keystore.ActiveVersion;
            keystore.ActiveVersion = version;
            keystore.State = KeystoreState.Active;
            Touch(keystore);
            await CommitAsync(db, [record with { Detail = $"{record.Detail} previous={previous?.ToString(CultureInfo.InvariantCulture) ?? "none"}" }], cancellationToken)
                .ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return await ToInfoAsync(db, keystore, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Active → Suspended: key operations and probes stop using it until resumed.</summary>
    public Task<KeystoreInfo> SuspendAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken) =>
        TransitionAsync(keystoreId, actor, AuditActions.KeystoreSuspend, KeystoreState.Suspended,
            s => s == KeystoreState.Active, "only an active keystore can be suspended", cancellationToken);

    /// <summary>Suspended → Active, with the version that was active.</summary>
    public Task<KeystoreInfo> ResumeAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken) =>
        TransitionAsync(keystoreId, actor, AuditActions.KeystoreResume, KeystoreState.Active,
            s => s == KeystoreState.Suspended, "only a suspended keystore can be resumed", cancellationToken);

    /// <summary>Any state → Retired (final). Keystores that named it as their backup no longer have one.</summary>
    public Task<KeystoreInfo> RetireAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken) =>
        TransitionAsync(keystoreId, actor, AuditActions.KeystoreRetire, KeystoreState.Retired,
            s => s != KeystoreState.Retired, "it is already retired", cancellationToken);

    /// <summary>
    /// Rolls the configuration back to <paramref name="toVersion"/> by saving a new version equal to it (settings and
    /// secret versions); the new version needs its own Test Connection before activation. Nothing is created when the
    /// current version already equals it.
    /// </summary>
    public async Task<SavedKeystoreVersion> RollbackAsync(Guid keystoreId, int toVersion, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(AuditActions.KeystoreRollback, actor, keystore, $"to={toVersion}");
            await DenyIfRetiredAsync(keystore, record, cancellationToken).ConfigureAwait(false);
            var source = await FindVersionOrDenyAsync(db, keystore, toVersion, record, cancellationToken).ConfigureAwait(false);
            var current = await LoadVersionAsync(db, keystore.Id, keystore.CurrentVersion, cancellationToken).ConfigureAwait(false);
            if (source.SettingsJson == current.SettingsJson && source.SecretVersionsJson == current.SecretVersionsJson)
            {
                return new SavedKeystoreVersion(KeystoreMapping.ToInfo(current), Created: false);
            }

            var version = keystore.CurrentVersion + 1;
            var row = NewVersion(keystore.Id, version, source.SettingsJson, source.SecretVersionsJson, actor, _time.GetUtcNow());
            db.KeystoreVersions.Add(row);
            keystore.CurrentVersion = version;
            if (keystore.State == KeystoreState.Tested)
            {
                keystore.State = KeystoreState.Draft;
            }

            Touch(keystore);
            await CommitAsync(db, [record with { Detail = $"{record.Detail} version={version}" }], cancellationToken).ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return new SavedKeystoreVersion(KeystoreMapping.ToInfo(row), Created: true);
        }
    }

    /// <summary>
    /// Names the keystore key operations fail over to (null: none). It must belong to the same tenant, be of the same
    /// kind (it must hold the same L1 key), not be the keystore itself, and not be retired
    /// (<see cref="KeystoreCommandError.InvalidBackup"/>). Whether it really holds the same L1 key is what
    /// <see cref="Operations.BackupVerifier"/> checks.
    /// </summary>
    public async Task<KeystoreInfo> SetBackupAsync(Guid keystoreId, Guid? backupKeystoreId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(AuditActions.KeystoreUpdate, actor, keystore, $"backup={backupKeystoreId?.ToString() ?? "none"}");
            await DenyIfRetiredAsync(keystore, record, cancellationToken).ConfigureAwait(false);
            if (backupKeystoreId is { } backupId)
            {
                var backup = await db.Keystores.AsNoTracking().FirstOrDefaultAsync(k => k.Id == backupId, cancellationToken).ConfigureAwait(false);
                var problem = backup switch
                {
                    null => "it does not exist",
                    _ when backup.Id == keystore.Id => "a keystore cannot be its own backup",
                    _ when backup.TenantId != keystore.TenantId => "it belongs to another tenant",
                    _ when !string.Equals(backup.Kind, keystore.Kind, StringComparison.Ordinal) =>
                        $"it is a {backup.Kind} keystore and {keystore.Name} is {keystore.Kind}; a backup must hold the same L1 key, so it must be of the same kind",
                    _ when backup.State == KeystoreState.Retired => "it is retired",
                    _ => null,
                };
                if (problem is not null)
                {
                    throw await DenyAsync(record, KeystoreCommandError.InvalidBackup,
                        $"That keystore cannot be the backup of {keystore.Name}: {problem}.", cancellationToken).ConfigureAwait(false);
                }

                record = record with { Detail = $"backup={backup!.Name}" };
            }

            keystore.BackupKeystoreId = backupKeystoreId;
            Touch(keystore);

            // A backup named (again) is unproven until Verify backup succeeds for it.
            var verification = await db.BackupVerifications.FirstOrDefaultAsync(v => v.KeystoreId == keystore.Id, cancellationToken).ConfigureAwait(false);
            if (verification is not null)
            {
                db.BackupVerifications.Remove(verification);
            }

            await CommitAsync(db, [record], cancellationToken).ConfigureAwait(false);
            RaiseChanged(keystore.Id);
            return await ToInfoAsync(db, keystore, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records a successful Verify backup of <paramref name="keystoreId"/>'s backup <paramref name="backupKeystoreId"/>
    /// for the given active versions (replacing an earlier one), and raises <see cref="KeystoreChanged"/> so the
    /// failover coordinator sees it. Nothing is recorded when the keystore no longer names that backup. Not audited
    /// here: <see cref="Operations.BackupVerifier"/> audits the run.
    /// </summary>
    /// <returns>True when recorded.</returns>
    internal async Task<bool> RecordBackupVerificationAsync(
        Guid keystoreId, Guid backupKeystoreId, int primaryVersion, int backupVersion, DateTimeOffset verifiedAt, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await db.Keystores.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keystoreId, cancellationToken).ConfigureAwait(false);
            if (keystore?.BackupKeystoreId != backupKeystoreId)
            {
                return false;
            }

            var row = await db.BackupVerifications.FirstOrDefaultAsync(v => v.KeystoreId == keystoreId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                row = new BackupVerificationRow { KeystoreId = keystoreId, BackupKeystoreId = backupKeystoreId };
                db.BackupVerifications.Add(row);
            }

            row.BackupKeystoreId = backupKeystoreId;
            row.PrimaryVersion = primaryVersion;
            row.BackupVersion = backupVersion;
            row.VerifiedAt = verifiedAt;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        RaiseChanged(keystoreId);
        return true;
    }

    /// <summary>Keystores, of one tenant or all, ordered by tenant and name.</summary>
    public async Task<IReadOnlyList<KeystoreInfo>> ListAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var query = from k in db.Keystores.AsNoTracking()
                        join t in db.Tenants on k.TenantId equals t.Id
                        select new { Keystore = k, TenantName = t.Name };
            if (tenantId is { } id)
            {
                query = query.Where(r => r.Keystore.TenantId == id);
            }

            var rows = await query.OrderBy(r => r.TenantName).ThenBy(r => r.Keystore.Name)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var verifications = await db.BackupVerifications.AsNoTracking().ToDictionaryAsync(v => v.KeystoreId, cancellationToken).ConfigureAwait(false);
            var backupIds = rows.Where(r => r.Keystore.BackupKeystoreId is not null).Select(r => r.Keystore.BackupKeystoreId!.Value).Distinct().ToList();
            var backupVersions = await ActiveVersionsAsync(db, backupIds, cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(r => KeystoreMapping.ToInfo(r.Keystore, r.TenantName,
                KeystoreMapping.ToRecord(verifications.GetValueOrDefault(r.Keystore.Id), r.Keystore.BackupKeystoreId),
                r.Keystore.BackupKeystoreId is { } b ? backupVersions.GetValueOrDefault(b) : null))];
        }
    }

    public async Task<KeystoreInfo?> GetAsync(Guid keystoreId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await db.Keystores.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keystoreId, cancellationToken).ConfigureAwait(false);
            return keystore is null ? null : await ToInfoAsync(db, keystore, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every configuration version of a keystore, newest first.</summary>
    public async Task<IReadOnlyList<KeystoreVersionInfo>> GetVersionsAsync(Guid keystoreId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.KeystoreVersions.AsNoTracking().Where(v => v.KeystoreId == keystoreId)
                .OrderByDescending(v => v.Version).ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(KeystoreMapping.ToInfo)];
        }
    }

    public async Task<KeystoreVersionInfo?> GetVersionAsync(Guid keystoreId, int version, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await db.KeystoreVersions.AsNoTracking()
                .FirstOrDefaultAsync(v => v.KeystoreId == keystoreId && v.Version == version, cancellationToken).ConfigureAwait(false);
            return row is null ? null : KeystoreMapping.ToInfo(row);
        }
    }

    /// <summary>
    /// Per secret field of the keystore's type: whether this version has a value, which vault version, and when it was
    /// stored ("set · rotated 3 days ago"). Never the value.
    /// </summary>
    public async Task<ImmutableArray<SecretStatus>> GetSecretStatusAsync(Guid keystoreId, int version, CancellationToken cancellationToken)
    {
        var keystore = await GetAsync(keystoreId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(keystoreId);
        var row = await GetVersionAsync(keystoreId, version, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.VersionNotFound, $"{keystore.Name} has no version {version}.");
        var fields = _plugins.Find(keystore.Kind) is { } plugin
            ? plugin.Descriptor.Fields.Where(f => f.IsSecret).Select(f => f.Name)
            : row.SecretVersions.Keys.Order(StringComparer.Ordinal);
        return await _vault.GetStatusAsync(keystoreId, fields, row.SecretVersions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A resolver for a plugin working on <paramref name="version"/>: each secret it reads is decrypted from the vault
    /// and audited with <paramref name="purpose"/> and <paramref name="actor"/>.
    /// </summary>
    public ISecretResolver CreateSecretResolver(KeystoreVersionInfo version, string purpose, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new VaultSecretResolver(_vault, version.KeystoreId, version.SecretVersions, purpose, actor);
    }

    /// <summary>
    /// The seed JSON shape of a version (default: the active one, else the current one), without any secret value.
    /// Audited as <c>keystore.export</c>.
    /// </summary>
    public async Task<string> ExportAsync(Guid keystoreId, int? version, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var keystore = await GetAsync(keystoreId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(keystoreId);
        var number = version ?? keystore.ActiveVersion ?? keystore.CurrentVersion;
        var row = await GetVersionAsync(keystoreId, number, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.VersionNotFound, $"{keystore.Name} has no version {number}.");
        var json = KeystoreJson.Write(GetPlugin(keystore.Kind).Descriptor, keystore.Name, row.Settings);
        await _audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.KeystoreExport,
            Actor = actor,
            Outcome = AuditOutcome.Success,
            TenantId = keystore.TenantId,
            KeystoreId = keystore.Id,
            Detail = $"version={number}",
        }, cancellationToken).ConfigureAwait(false);
        return json;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ActiveKeystore>> GetActiveAsync(CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await (from k in db.Keystores.AsNoTracking()
                              where k.State == KeystoreState.Active && k.ActiveVersion != null
                              join t in db.Tenants on k.TenantId equals t.Id
                              orderby t.Name, k.Name
                              select new { Keystore = k, TenantName = t.Name })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var ids = rows.Select(r => r.Keystore.Id).ToList();
            var versions = await db.KeystoreVersions.AsNoTracking().Where(v => ids.Contains(v.KeystoreId))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var overrides = await Health.KeystoreThresholdService.LoadOverridesAsync(db, ids, cancellationToken).ConfigureAwait(false);
            var verifications = await db.BackupVerifications.AsNoTracking().Where(v => ids.Contains(v.KeystoreId))
                .ToDictionaryAsync(v => v.KeystoreId, cancellationToken).ConfigureAwait(false);
            var backupIds = rows.Where(r => r.Keystore.BackupKeystoreId is not null).Select(r => r.Keystore.BackupKeystoreId!.Value).Distinct().ToList();
            var backupVersions = await ActiveVersionsAsync(db, backupIds, cancellationToken).ConfigureAwait(false);
            var active = new List<ActiveKeystore>(rows.Count);
            foreach (var r in rows)
            {
                var row = versions.FirstOrDefault(v => v.KeystoreId == r.Keystore.Id && v.Version == r.Keystore.ActiveVersion);
                if (row is null)
                {
                    continue;
                }

                var info = KeystoreMapping.ToInfo(row);
                var verification = KeystoreMapping.ToRecord(verifications.GetValueOrDefault(r.Keystore.Id), r.Keystore.BackupKeystoreId);
                int? backupVersion = r.Keystore.BackupKeystoreId is { } backupId ? backupVersions.GetValueOrDefault(backupId) : null;
                active.Add(new ActiveKeystore
                {
                    BackupVerification = verification,
                    BackupVerified = verification is not null && verification.Covers(r.Keystore.BackupKeystoreId, info.Version, backupVersion),
                    Id = r.Keystore.Id,
                    TenantId = r.Keystore.TenantId,
                    TenantName = r.TenantName,
                    Name = r.Keystore.Name,
                    Kind = r.Keystore.Kind,
                    Version = info.Version,
                    BackupKeystoreId = r.Keystore.BackupKeystoreId,
                    ThresholdOverrides = overrides.GetValueOrDefault(r.Keystore.Id),
                    Settings = info.Settings.WithContext(new KeystoreContext(r.Keystore.Id, r.Keystore.Name, r.Keystore.TenantId, r.TenantName)),
                    Secrets = CreateSecretResolver(info, ConnectPurpose, s_connectionActor),
                });
            }

            return active;
        }
    }

    private async Task<KeystoreInfo> TransitionAsync(
        Guid keystoreId, Actor actor, string action, KeystoreState to, Func<KeystoreState, bool> allowedFrom, string refusal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var record = Record(action, actor, keystore, $"from={keystore.State}");
            if (!allowedFrom(keystore.State))
            {
                throw await DenyAsync(record, KeystoreCommandError.InvalidState,
                    $"{keystore.Name} is {keystore.State.ToString().ToLowerInvariant()}: {refusal}.", cancellationToken).ConfigureAwait(false);
            }

            keystore.State = to;
            Touch(keystore);
            var changed = new List<Guid> { keystore.Id };
            if (to == KeystoreState.Retired)
            {
                var dependents = await db.Keystores.Where(k => k.BackupKeystoreId == keystore.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var dependent in dependents)
                {
                    dependent.BackupKeystoreId = null;
                    Touch(dependent);
                    changed.Add(dependent.Id);
                }

                if (dependents.Count > 0)
                {
                    record = record with { Detail = $"{record.Detail} no longer backup of={Names(dependents.Select(d => d.Name))}" };
                }
            }

            await CommitAsync(db, [record], cancellationToken).ConfigureAwait(false);
            changed.ForEach(RaiseChanged);
            return await ToInfoAsync(db, keystore, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, int>> StageSecretsAsync(
        OpenKcmDbContext db, Keystore keystore, IReadOnlyDictionary<string, SecretValue> entered,
        IReadOnlyDictionary<string, int> previous, Actor actor, List<AuditRecord> records, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, int>(previous, StringComparer.Ordinal);
        foreach (var (field, value) in entered.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var version = await _vault.StageAsync(db, keystore.Id, field, value, actor, cancellationToken).ConfigureAwait(false);
            versions[field] = version;
            records.Add(CredentialVault.WriteRecord(keystore.Id, keystore.TenantId, field, version, actor));
        }

        return versions;
    }

    private async Task CommitAsync(OpenKcmDbContext db, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            await _audit.CommitAsync(db, records, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new KeystoreCommandException(KeystoreCommandError.ConcurrentChange,
                "This keystore was changed by someone else meanwhile; reload it and try again.", ex);
        }
    }

    private async Task<KeystoreCommandException> DenyAsync(
        AuditRecord record, KeystoreCommandError error, string message, CancellationToken cancellationToken)
    {
        await _audit.AppendAsync(record with { Outcome = AuditOutcome.Denied, Detail = $"{record.Detail} denied={error}".Trim() }, cancellationToken)
            .ConfigureAwait(false);
        return new KeystoreCommandException(error, message);
    }

    private async Task DenyIfRetiredAsync(Keystore keystore, AuditRecord record, CancellationToken cancellationToken)
    {
        if (keystore.State == KeystoreState.Retired)
        {
            throw await DenyAsync(record, KeystoreCommandError.InvalidState,
                $"{keystore.Name} is retired and can no longer be changed.", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<KeystoreVersion> FindVersionOrDenyAsync(
        OpenKcmDbContext db, Keystore keystore, int version, AuditRecord record, CancellationToken cancellationToken)
    {
        var row = await db.KeystoreVersions.FirstOrDefaultAsync(v => v.KeystoreId == keystore.Id && v.Version == version, cancellationToken)
            .ConfigureAwait(false);
        return row ?? throw await DenyAsync(record, KeystoreCommandError.VersionNotFound,
            $"{keystore.Name} has no version {version}.", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Keystore> LoadAsync(OpenKcmDbContext db, Guid keystoreId, CancellationToken cancellationToken) =>
        await db.Keystores.FirstOrDefaultAsync(k => k.Id == keystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(keystoreId);

    private static Task<KeystoreVersion> LoadVersionAsync(OpenKcmDbContext db, Guid keystoreId, int version, CancellationToken cancellationToken) =>
        db.KeystoreVersions.AsNoTracking().FirstAsync(v => v.KeystoreId == keystoreId && v.Version == version, cancellationToken);

    private static async Task<KeystoreInfo> ToInfoAsync(OpenKcmDbContext db, Keystore keystore, CancellationToken cancellationToken)
    {
        var tenantName = await db.Tenants.Where(t => t.Id == keystore.TenantId).Select(t => t.Name)
            .FirstAsync(cancellationToken).ConfigureAwait(false);
        if (keystore.BackupKeystoreId is not { } backupId)
        {
            return KeystoreMapping.ToInfo(keystore, tenantName);
        }

        var row = await db.BackupVerifications.AsNoTracking().FirstOrDefaultAsync(v => v.KeystoreId == keystore.Id, cancellationToken).ConfigureAwait(false);
        var backupVersions = await ActiveVersionsAsync(db, [backupId], cancellationToken).ConfigureAwait(false);
        return KeystoreMapping.ToInfo(keystore, tenantName, KeystoreMapping.ToRecord(row, backupId), backupVersions.GetValueOrDefault(backupId));
    }

    /// <summary>The active version of each of <paramref name="ids"/> that has one (any state: a verification is about versions).</summary>
    private static async Task<Dictionary<Guid, int?>> ActiveVersionsAsync(OpenKcmDbContext db, List<Guid> ids, CancellationToken cancellationToken) =>
        ids.Count == 0
            ? []
            : await db.Keystores.AsNoTracking().Where(k => ids.Contains(k.Id))
                .ToDictionaryAsync(k => k.Id, k => k.ActiveVersion, cancellationToken).ConfigureAwait(false);

    private IKeystorePlugin GetPlugin(string kind) =>
        _plugins.Find(kind) ?? throw new KeystoreCommandException(KeystoreCommandError.PluginNotRegistered,
            $"No keystore plugin is registered for '{kind}'. Registered types: {RegisteredKinds()}.");

    private string RegisteredKinds() =>
        _plugins.All.Count == 0 ? "none" : string.Join(", ", _plugins.All.Select(p => p.Descriptor.Kind));

    private KeystoreVersion NewVersion(Guid keystoreId, int version, string settingsJson, string secretVersionsJson, Actor actor, DateTimeOffset now) => new()
    {
        KeystoreId = keystoreId,
        Version = version,
        SettingsJson = settingsJson,
        SecretVersionsJson = secretVersionsJson,
        CreatedAt = now,
        CreatedById = actor.Id,
        CreatedByName = actor.Name,
    };

    private void Touch(Keystore keystore)
    {
        keystore.UpdatedAt = _time.GetUtcNow();
        keystore.Revision++;
    }

    /// <summary>Raises <see cref="KeystoreChanged"/>; also used by <see cref="Health.KeystoreThresholdService"/> after a committed change.</summary>
    internal void RaiseChanged(Guid keystoreId)
    {
        if (KeystoreChanged is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<Guid>>())
        {
            try
            {
                handler(keystoreId);
            }
            catch (Exception ex)
            {
                // A subscriber's bug must not turn a committed change into a reported failure.
                _logger.LogError(ex, "A KeystoreChanged handler failed for keystore {KeystoreId}.", keystoreId);
            }
        }
    }

    /// <summary>The context a plugin sees for a saved keystore (see <see cref="KeystoreSettings.Context"/>).</summary>
    public static KeystoreContext ContextOf(KeystoreInfo keystore)
    {
        ArgumentNullException.ThrowIfNull(keystore);
        return new KeystoreContext(keystore.Id, keystore.Name, keystore.TenantId, keystore.TenantName);
    }

    private static KeystoreCommandException NotFound(Guid keystoreId) =>
        new(KeystoreCommandError.KeystoreNotFound, $"Keystore {keystoreId} does not exist.");

    private static AuditRecord Record(string action, Actor actor, Keystore keystore, string detail) => new()
    {
        Action = action,
        Actor = actor,
        Outcome = AuditOutcome.Success,
        TenantId = keystore.TenantId,
        KeystoreId = keystore.Id,
        Detail = $"name={keystore.Name} {detail}".Trim(),
    };

    private static AuditRecord Rejected(AuditRecord record, IEnumerable<FieldError> errors) =>
        record with { Outcome = AuditOutcome.Failure, Detail = $"{record.Detail} invalid={Names(errors.Select(e => e.Field).Distinct())}" };

    private static Dictionary<string, SecretValue> Entered(IReadOnlyDictionary<string, SecretValue>? secrets) =>
        secrets?.Where(s => s.Value is { Length: > 0 }).ToDictionary(s => s.Key.Trim(), s => s.Value, StringComparer.Ordinal)
            ?? new Dictionary<string, SecretValue>(StringComparer.Ordinal);

    private static List<string> ChangedFields(KeystoreSettings before, KeystoreSettings after) =>
        [.. before.Values.Keys.Union(after.Values.Keys, StringComparer.Ordinal)
            .Where(k => !string.Equals(before.Values.GetValueOrDefault(k), after.Values.GetValueOrDefault(k), StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    private static string Names(IEnumerable<string> names)
    {
        var joined = string.Join(',', names);
        return joined.Length == 0 ? "none" : joined;
    }
}

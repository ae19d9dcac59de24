using System.Collections.Immutable;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Vault;

/// <summary>
/// Stores credentials with envelope encryption: each secret version gets its own random 256-bit data key
/// (AES-256-GCM), the data key is wrapped by the KEK (AES-256-GCM), and the associated data of both binds them to
/// owner, field and version, so a ciphertext copied anywhere else does not decrypt. Versions are immutable: storing a
/// value for a field adds version n+1.
/// <para>
/// Singleton; thread-safe (a short-lived DbContext per call). Every write and every use is audited with the field
/// name, never the value; if the audit entry cannot be written the call fails. Cancellation stops a call before its
/// audit entry is written; after that the change is committed regardless.
/// </para>
/// </summary>
public sealed class CredentialVault
{
    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly IKeyEncryptionKeyProvider _kekProvider;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    // After RewrapAllAsync this process keeps using the new KEK until the key source is switched and it restarts.
    private volatile KeyEncryptionKey? _rotatedKek;

    internal CredentialVault(
        IDbContextFactory<OpenKcmDbContext> dbFactory, IKeyEncryptionKeyProvider kekProvider, AuditLog audit, TimeProvider time)
    {
        _dbFactory = dbFactory;
        _kekProvider = kekProvider;
        _audit = audit;
        _time = time;
    }

    /// <summary>The KEK new data keys are wrapped with.</summary>
    public KeyEncryptionKey CurrentKek => _rotatedKek ?? _kekProvider.GetCurrent();

    /// <summary>
    /// Encrypts and stores <paramref name="value"/> as the next version of <paramref name="field"/> for
    /// <paramref name="ownerId"/>, audited as <c>secret.write</c>. Returns the new secret version. The caller keeps
    /// ownership of <paramref name="value"/>.
    /// </summary>
    public async Task<int> StoreAsync(Guid ownerId, string field, SecretValue value, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var tenantId = await FindTenantAsync(db, ownerId, cancellationToken).ConfigureAwait(false);
            var version = await StageAsync(db, ownerId, field, value, actor, cancellationToken).ConfigureAwait(false);
            await _audit.CommitAsync(db, [WriteRecord(ownerId, tenantId, field, version, actor)], cancellationToken)
                .ConfigureAwait(false);
            return version;
        }
    }

    /// <summary>
    /// Decrypts one secret version for server-side use, audited as <c>secret.use</c> with <paramref name="purpose"/>.
    /// Returns null when that version does not exist. Throws <see cref="VaultIntegrityException"/> when the stored
    /// data does not decrypt (altered, or moved from another row, field or version). The caller disposes the result.
    /// </summary>
    public async Task<SecretValue?> ReadAsync(
        Guid ownerId, string field, int version, string purpose, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        ArgumentNullException.ThrowIfNull(actor);

        StoredSecret? row;
        Guid? tenantId;
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            row = await db.StoredSecrets.AsNoTracking()
                .FirstOrDefaultAsync(s => s.OwnerId == ownerId && s.Field == field && s.Version == version, cancellationToken)
                .ConfigureAwait(false);
            tenantId = await FindTenantAsync(db, ownerId, cancellationToken).ConfigureAwait(false);
        }

        var use = new AuditRecord
        {
            Action = AuditActions.SecretUse,
            Actor = actor,
            Outcome = AuditOutcome.Success,
            TenantId = tenantId,
            KeystoreId = ownerId,
            Detail = $"field={field} version={version} purpose={purpose}",
        };

        if (row is null)
        {
            await _audit.AppendAsync(use with { Outcome = AuditOutcome.Failure, Detail = use.Detail + " (no such secret)" }, cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        SecretValue secret;
        try
        {
            secret = Decrypt(row);
        }
        catch (VaultIntegrityException)
        {
            await _audit.AppendAsync(use with { Outcome = AuditOutcome.Failure, Detail = use.Detail + " (does not decrypt)" }, cancellationToken)
                .ConfigureAwait(false);
            throw;
        }

        try
        {
            await _audit.AppendAsync(use, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            secret.Dispose();
            throw;
        }

        return secret;
    }

    /// <summary>The latest version of every field stored for <paramref name="ownerId"/>, by field name.</summary>
    public async Task<IReadOnlyList<SecretStatus>> GetStatusAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.StoredSecrets.AsNoTracking()
                .Where(s => s.OwnerId == ownerId)
                .Select(s => new { s.Field, s.Version, s.CreatedAt })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return
            [
                .. rows.GroupBy(r => r.Field, StringComparer.Ordinal)
                    .Select(g => g.MaxBy(r => r.Version)!)
                    .OrderBy(r => r.Field, StringComparer.Ordinal)
                    .Select(r => new SecretStatus(r.Field, r.Version, r.CreatedAt)),
            ];
        }
    }

    /// <summary>
    /// Re-wraps every data key that is not yet under <paramref name="newKek"/> (the secret ciphertexts are untouched),
    /// in one transaction, audited as <c>secret.rewrap</c>; returns how many were re-wrapped. Idempotent: run it again
    /// after an interruption. This process then wraps new secrets with <paramref name="newKek"/> (do not dispose it).
    /// Install <paramref name="newKek"/> as the key source (<c>kek.key</c> or <c>OPENKCM_KEK</c>) before the next start
    /// and keep a backup of the old KEK until then. Run it while no one edits credentials: a secret stored during the
    /// re-wrap stays under the old KEK until the next run.
    /// </summary>
    public async Task<int> RewrapAllAsync(KeyEncryptionKey newKek, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newKek);
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.StoredSecrets.Where(s => s.KekId != newKek.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var fromIds = rows.Select(r => r.KekId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var row in rows)
            {
                var dataKey = UnwrapDataKey(row);
                try
                {
                    row.WrappedDataKey = newKek.Wrap(dataKey, Envelope.DataKeyBinding(row.OwnerId, row.Field, row.Version, newKek.Id));
                    row.KekId = newKek.Id;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                }
            }

            var record = new AuditRecord
            {
                Action = AuditActions.SecretRewrap,
                Actor = actor,
                Outcome = AuditOutcome.Success,
                Detail = $"{rows.Count} data keys re-wrapped from KEK {(fromIds.Count == 0 ? "-" : string.Join(",", fromIds))} to KEK {newKek.Id}",
            };
            await _audit.CommitAsync(db, [record], cancellationToken).ConfigureAwait(false);
            _rotatedKek = newKek;
            return rows.Count;
        }
    }

    /// <summary>How many stored secrets are wrapped under a KEK other than the current one (a startup check).</summary>
    internal async Task<IReadOnlyList<string>> FindForeignKekIdsAsync(CancellationToken cancellationToken)
    {
        var current = CurrentKek.Id;
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.StoredSecrets.Where(s => s.KekId != current).Select(s => s.KekId).Distinct()
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the encrypted next version of <paramref name="field"/> to <paramref name="db"/> without saving, so a caller
    /// can commit it together with its own rows (one transaction). Returns the version it will have.
    /// </summary>
    internal async Task<int> StageAsync(
        OpenKcmDbContext db, Guid ownerId, string field, SecretValue value, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            throw new ArgumentException("An empty secret is not stored (blank means: keep the current one).", nameof(value));
        }

        var stored = await db.StoredSecrets.Where(s => s.OwnerId == ownerId && s.Field == field)
            .MaxAsync(s => (int?)s.Version, cancellationToken).ConfigureAwait(false) ?? 0;
        var staged = db.StoredSecrets.Local.Where(s => s.OwnerId == ownerId && s.Field == field).Select(s => s.Version).DefaultIfEmpty(0).Max();
        var version = Math.Max(stored, staged) + 1;

        var kek = CurrentKek;
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            db.StoredSecrets.Add(new StoredSecret
            {
                OwnerId = ownerId,
                Field = field,
                Version = version,
                Ciphertext = Envelope.Seal(dataKey, value.RevealBytes(), Envelope.ValueBinding(ownerId, field, version)),
                WrappedDataKey = kek.Wrap(dataKey, Envelope.DataKeyBinding(ownerId, field, version, kek.Id)),
                KekId = kek.Id,
                CreatedAt = _time.GetUtcNow(),
                CreatedById = actor.Id,
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return version;
    }

    internal static AuditRecord WriteRecord(Guid ownerId, Guid? tenantId, string field, int version, Actor actor) => new()
    {
        Action = AuditActions.SecretWrite,
        Actor = actor,
        Outcome = AuditOutcome.Success,
        TenantId = tenantId,
        KeystoreId = ownerId,
        Detail = $"field={field} version={version}",
    };

    /// <summary>Status of the given field versions (a keystore configuration version pins one per secret field).</summary>
    internal async Task<ImmutableArray<SecretStatus>> GetStatusAsync(
        Guid ownerId, IEnumerable<string> fields, IReadOnlyDictionary<string, int> versions, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.StoredSecrets.AsNoTracking()
                .Where(s => s.OwnerId == ownerId)
                .Select(s => new { s.Field, s.Version, s.CreatedAt })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return
            [
                .. fields.Select(f =>
                {
                    if (!versions.TryGetValue(f, out var v))
                    {
                        return new SecretStatus(f, null, null);
                    }

                    var row = rows.FirstOrDefault(r => r.Field == f && r.Version == v);
                    return new SecretStatus(f, v, row?.CreatedAt);
                }),
            ];
        }
    }

    private static Task<Guid?> FindTenantAsync(OpenKcmDbContext db, Guid ownerId, CancellationToken cancellationToken) =>
        db.Keystores.Where(k => k.Id == ownerId).Select(k => (Guid?)k.TenantId).FirstOrDefaultAsync(cancellationToken);

    private SecretValue Decrypt(StoredSecret row)
    {
        var dataKey = UnwrapDataKey(row);
        try
        {
            var plaintext = Envelope.Open(dataKey, row.Ciphertext, Envelope.ValueBinding(row.OwnerId, row.Field, row.Version));
            try
            {
                return new SecretValue(plaintext);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        catch (CryptographicException ex)
        {
            throw NotDecryptable(row, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private byte[] UnwrapDataKey(StoredSecret row)
    {
        var kek = FindKek(row.KekId) ?? throw new VaultIntegrityException(row.OwnerId, row.Field, row.Version,
            $"Secret '{row.Field}' version {row.Version} of {row.OwnerId} is wrapped under KEK {row.KekId}, but the " +
            $"configured KEK is {CurrentKek.Id}. Restore the key encryption key that was in use (kek.key or " +
            $"{KeyEncryptionKeyProvider.EnvironmentVariable}); without it this secret cannot be decrypted.");
        try
        {
            return kek.Unwrap(row.WrappedDataKey, Envelope.DataKeyBinding(row.OwnerId, row.Field, row.Version, row.KekId));
        }
        catch (CryptographicException ex)
        {
            throw NotDecryptable(row, ex);
        }
    }

    private KeyEncryptionKey? FindKek(string id)
    {
        if (_rotatedKek is { } rotated && rotated.Id == id)
        {
            return rotated;
        }

        var current = _kekProvider.GetCurrent();
        return current.Id == id ? current : null;
    }

    private static VaultIntegrityException NotDecryptable(StoredSecret row, Exception inner) =>
        new(row.OwnerId, row.Field, row.Version,
            $"Secret '{row.Field}' version {row.Version} of {row.OwnerId} does not decrypt: its stored data was modified, " +
            "or copied from another owner, field or version. Enter the secret again to store a new version.", inner);
}

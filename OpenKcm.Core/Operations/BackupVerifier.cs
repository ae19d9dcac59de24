using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// "Verify backup": proves a keystore's named backup holds the same L1 key, by wrapping a fresh 256-bit value on the
/// primary's connection and unwrapping it on the backup's, then comparing in constant time. Both keystores must be
/// active. The value is random, used for nothing else and cleared afterwards. The two operations go to the pooled
/// connections directly, not through the <see cref="KeyOperationRouter"/> (which would follow the failover routing);
/// they do not count for health. Each run is audited once as <see cref="AuditActions.KeystoreVerifyBackup"/>. A
/// success is recorded with the active versions of both keystores it ran on
/// (<see cref="KeystoreInfo.BackupVerification"/>): the failover coordinator fails over only to a backup verified for
/// the current active versions. Singleton; thread-safe.
/// </summary>
public sealed class BackupVerifier(KeystoreConnectionManager connections, KeystoreService keystores, AuditLog audit, TimeProvider timeProvider)
{
    /// <summary>Length of the test value (AES-256 key size).</summary>
    public const int ValueBytes = 32;

    /// <summary>Runs the verification. Keystore-side failures and a keystore without backup are results, not exceptions.</summary>
    /// <exception cref="KeystoreCommandException">The keystore does not exist.</exception>
    /// <exception cref="AuditWriteException">The result could not be audited (the result is then not reported).</exception>
    public async Task<BackupVerification> VerifyAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var keystore = await keystores.GetAsync(keystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.KeystoreNotFound, $"Keystore {keystoreId} does not exist.");
        BackupVerification result;
        KeystoreInfo? backup = null;
        if (keystore.BackupKeystoreId is not { } backupId)
        {
            result = new BackupVerification(false, $"{keystore.Name} names no backup keystore.");
        }
        else
        {
            backup = await keystores.GetAsync(backupId, cancellationToken).ConfigureAwait(false);
            result = backup is null
                ? new BackupVerification(false, $"The backup of {keystore.Name} no longer exists.")
                : await RunAsync(keystore, backup, cancellationToken).ConfigureAwait(false);
        }

        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.KeystoreVerifyBackup,
            Actor = actor,
            Outcome = result.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
            TenantId = keystore.TenantId,
            KeystoreId = keystore.Id,
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"primary={keystore.Name} backup={backup?.Name ?? "none"} value_bits={ValueBytes * 8}{(result.ErrorKind is { } kind ? $" error={kind}" : "")}"),
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<BackupVerification> RunAsync(KeystoreInfo primary, KeystoreInfo backup, CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(ValueBytes);
        var associatedData = Encoding.UTF8.GetBytes($"openkcm:backup-verification:{primary.Id:N}:{backup.Id:N}:{Guid.NewGuid():N}");
        byte[]? unwrapped = null;
        int primaryVersion, backupVersion;
        var step = $"Wrapping on {primary.Name}";
        var started = timeProvider.GetTimestamp();
        try
        {
            byte[] wrapped;
            using (var lease = await connections.AcquireAsync(primary.Id, cancellationToken).ConfigureAwait(false))
            {
                primaryVersion = lease.Keystore.Version;
                wrapped = await lease.Connection.WrapAsync(value, associatedData, cancellationToken).ConfigureAwait(false);
            }

            step = $"Unwrapping on {backup.Name}";
            using (var lease = await connections.AcquireAsync(backup.Id, cancellationToken).ConfigureAwait(false))
            {
                backupVersion = lease.Keystore.Version;
                unwrapped = await lease.Connection.UnwrapAsync(wrapped, associatedData, cancellationToken).ConfigureAwait(false);
            }

            var elapsed = timeProvider.GetElapsedTime(started);
            if (CryptographicOperations.FixedTimeEquals(value, unwrapped))
            {
                var at = timeProvider.GetUtcNow();
                var recorded = await keystores.RecordBackupVerificationAsync(primary.Id, backup.Id, primaryVersion, backupVersion, at, cancellationToken)
                    .ConfigureAwait(false);
                return recorded
                    ? new BackupVerification(true,
                        $"A fresh {ValueBytes * 8}-bit value wrapped by {primary.Name} v{primaryVersion} was unwrapped by {backup.Name} v{backupVersion} to the same value: the backup holds the same L1 key.")
                    { Duration = elapsed, VerifiedAt = at }
                    : new BackupVerification(false, $"{primary.Name} no longer names {backup.Name} as its backup; nothing was recorded.") { Duration = elapsed };
            }

            return new BackupVerification(false,
                    $"{backup.Name} unwrapped the value wrapped by {primary.Name} to different bytes: it does not hold the same L1 key.")
                { Duration = elapsed };
        }
        catch (KeystoreNotActiveException e)
        {
            var name = e.KeystoreId == primary.Id ? primary.Name : backup.Name;
            return new BackupVerification(false, $"{name} is not active; both keystores must be active to verify the backup.");
        }
        catch (KeystoreException e)
        {
            var hint = step.StartsWith("Unwrapping", StringComparison.Ordinal) && e.Kind is KeystoreErrorKind.InvalidResponse or KeystoreErrorKind.KeyNotFound
                ? " The backup may not hold the same L1 key."
                : "";
            return new BackupVerification(false, $"{step} failed: {e.Message}{hint}") { ErrorKind = e.Kind };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
            if (unwrapped is not null)
            {
                CryptographicOperations.ZeroMemory(unwrapped);
            }
        }
    }
}

/// <summary>The result of <see cref="BackupVerifier.VerifyAsync"/>.</summary>
/// <param name="Succeeded">The backup unwrapped what the primary wrapped, unchanged.</param>
/// <param name="Message">What happened, in plain words (no key material).</param>
[DebuggerDisplay("{Succeeded} {Message}")]
public sealed record BackupVerification(bool Succeeded, string Message)
{
    /// <summary>For keystore-side failures: the typed error kind.</summary>
    public KeystoreErrorKind? ErrorKind { get; init; }

    /// <summary>Wall time of wrap plus unwrap (connects included); zero when they did not both run.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>When a successful verification was recorded; null on failure.</summary>
    public DateTimeOffset? VerifiedAt { get; init; }
}

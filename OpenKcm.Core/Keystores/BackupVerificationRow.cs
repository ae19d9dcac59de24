namespace OpenKcm.Core.Keystores;

/// <summary>
/// The last successful "Verify backup" of a primary keystore (table <c>backup_verifications</c>): which backup, and the
/// active versions of both that it covered. No row: never verified (or cleared by naming another backup). Written by
/// <see cref="KeystoreService.RecordBackupVerificationAsync"/> only.
/// </summary>
internal sealed class BackupVerificationRow
{
    public required Guid KeystoreId { get; init; }

    public required Guid BackupKeystoreId { get; set; }

    public int PrimaryVersion { get; set; }

    public int BackupVersion { get; set; }

    public DateTimeOffset VerifiedAt { get; set; }
}

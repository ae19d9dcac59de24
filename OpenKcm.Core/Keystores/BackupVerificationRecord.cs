namespace OpenKcm.Core.Keystores;

/// <summary>
/// The last successful "Verify backup" of a primary keystore: the backup it proved, the active configuration versions
/// of the primary and the backup it ran on, and when. Immutable; value equality.
/// </summary>
/// <param name="BackupKeystoreId">The backup that unwrapped what the primary wrapped.</param>
/// <param name="PrimaryVersion">The primary's active version the value was wrapped with.</param>
/// <param name="BackupVersion">The backup's active version the value was unwrapped with.</param>
/// <param name="VerifiedAt">When the verification succeeded (UTC).</param>
public sealed record BackupVerificationRecord(Guid BackupKeystoreId, int PrimaryVersion, int BackupVersion, DateTimeOffset VerifiedAt)
{
    /// <summary>
    /// True when this verification proves <paramref name="backupKeystoreId"/> for the given active versions: a new
    /// active version of either keystore, or another backup, makes it stale.
    /// </summary>
    public bool Covers(Guid? backupKeystoreId, int? primaryVersion, int? backupVersion) =>
        backupKeystoreId == BackupKeystoreId && primaryVersion == PrimaryVersion && backupVersion == BackupVersion;
}

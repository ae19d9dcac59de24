namespace OpenKcm.Console.Hubs;

/// <summary>Where the keystore's key operations go when it names a backup.</summary>
public sealed record FailoverDto
{
    public required Guid BackupKeystoreId { get; init; }

    public required string BackupName { get; init; }

    public required bool FailedOver { get; init; }

    public DateTimeOffset? Since { get; init; }

    public string? Reason { get; init; }

    public bool BackupAvailable { get; init; }

    public string? BackupUnavailableReason { get; init; }
}

namespace OpenKcm.Core.Audit;

/// <summary>The result of walking the audit chain (<see cref="AuditLog.VerifyAsync"/>).</summary>
public sealed class AuditVerification
{
    public required bool IsIntact { get; init; }

    public required long EntriesChecked { get; init; }

    /// <summary>The sequence number of the first entry that is missing, edited or out of place; null when intact.</summary>
    public long? FirstBrokenSequence { get; init; }

    /// <summary>What is wrong with <see cref="FirstBrokenSequence"/>, in plain words; null when intact.</summary>
    public string? Problem { get; init; }

    /// <summary>The hash of the last entry: record it elsewhere to detect a later truncation of the log.</summary>
    public string? LastHash { get; init; }
}

using System.Collections.Immutable;

namespace OpenKcm.Core.Audit;

/// <summary>One page of audit entries, newest first, with the number of entries matching the filter.</summary>
public sealed class AuditPage
{
    public required ImmutableArray<AuditEntry> Entries { get; init; }

    public required int TotalCount { get; init; }
}

using System.Collections.Immutable;

namespace OpenKcm.Core.Alerts;

/// <summary>One page of <see cref="AlertCentre.ListAsync"/>: newest first, and how many match in all.</summary>
public sealed record AlertPage(ImmutableArray<AlertListItem> Items, int TotalCount);

using System.Collections.Immutable;

namespace OpenKcm.Core.Alerts;

/// <summary>An alert with the state of its webhook deliveries. Immutable (the <see cref="Alert"/> is a detached copy).</summary>
public sealed record AlertListItem(Alert Alert, ImmutableArray<AlertDeliveryStatus> Deliveries);

namespace OpenKcm.Core.Alerts;

/// <summary>What one <see cref="AlertRetentionSweeper.SweepAsync"/> deleted, and the cutoff it used (UTC).</summary>
public sealed record AlertRetentionResult(int Alerts, int Deliveries, DateTimeOffset Cutoff);

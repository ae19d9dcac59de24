using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Keystores.Model;

/// <summary>One Test Connection check as shown while the test runs: pending, running, then its result.</summary>
public sealed class CheckRow(CheckDefinition definition)
{
    public CheckDefinition Definition { get; } = definition;

    public bool IsRunning { get; set; }

    public CheckResult? Result { get; set; }

    public string StatusText => Result?.Outcome switch
    {
        CheckOutcome.Passed => "Passed",
        CheckOutcome.Warning => "Warning",
        CheckOutcome.Failed => "Failed",
        CheckOutcome.Skipped => "Skipped",
        _ => IsRunning ? "Running" : "Pending",
    };

    public string CssClass => Result?.Outcome switch
    {
        CheckOutcome.Passed => "check-passed",
        CheckOutcome.Warning => "check-warning",
        CheckOutcome.Failed => "check-failed",
        CheckOutcome.Skipped => "check-skipped",
        _ => IsRunning ? "check-running" : "check-pending",
    };

    public string Icon => Result?.Outcome switch
    {
        CheckOutcome.Passed => "✔",
        CheckOutcome.Warning => "⚠",
        CheckOutcome.Failed => "✖",
        CheckOutcome.Skipped => "–",
        _ => IsRunning ? "…" : "○",
    };
}

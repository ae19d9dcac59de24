using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Keystores.Model;

/// <summary>One Test Connection check as shown while the test runs: pending, running, then its result.</summary>
public sealed class CheckRow(CheckDefinition definition)
{
    public CheckDefinition Definition { get; } = definition;

    public bool IsRunning { get; set; }

    public CheckResult? Result { get; set; }

    public string StatusText => Presentation.Text;

    public string CssClass => Presentation.Css;

    public string Icon => Presentation.Icon;

    /// <summary>How the current state reads, looks and is marked: one table, so the three never disagree.</summary>
    private (string Text, string Css, string Icon) Presentation => Result?.Outcome switch
    {
        CheckOutcome.Passed => ("Passed", "check-passed", "✔"),
        CheckOutcome.Warning => ("Warning", "check-warning", "⚠"),
        CheckOutcome.Failed => ("Failed", "check-failed", "✖"),
        CheckOutcome.Skipped => ("Skipped", "check-skipped", "–"),
        _ => IsRunning ? ("Running", "check-running", "…") : ("Pending", "check-pending", "○"),
    };
}

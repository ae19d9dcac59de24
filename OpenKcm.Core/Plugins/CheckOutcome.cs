namespace OpenKcm.Core.Plugins;

public enum CheckOutcome
{
    Passed,
    Warning,
    Failed,

    /// <summary>Not run because an earlier check failed.</summary>
    Skipped,
}

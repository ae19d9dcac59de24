namespace OpenKcm.Core.Plugins;

/// <summary>The result of one Test Connection check.</summary>
/// <param name="Id">The <see cref="CheckDefinition.Id"/>.</param>
/// <param name="Outcome">Passed, warning, failed or skipped.</param>
/// <param name="Duration">Wall time of the check.</param>
/// <param name="Detail">What was found, in plain words (never a secret).</param>
/// <param name="Remedy">For warnings and failures: what the administrator should do.</param>
public sealed record CheckResult(string Id, CheckOutcome Outcome, TimeSpan Duration, string Detail, string? Remedy = null)
{
    /// <summary>For failures: the typed error kind, when the failure came from the keystore.</summary>
    public KeystoreErrorKind? ErrorKind { get; init; }
}

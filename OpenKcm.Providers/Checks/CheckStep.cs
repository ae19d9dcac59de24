using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.Checks;

/// <summary>
/// What one Test Connection check found, before <see cref="CheckSequence"/> adds its id and duration. Shared by every
/// plugin's checks.
/// </summary>
internal sealed record CheckStep(CheckOutcome Outcome, string Detail, string? Remedy = null, KeystoreErrorKind? ErrorKind = null)
{
    public static CheckStep Pass(string detail) => new(CheckOutcome.Passed, detail);

    public static CheckStep Warn(string detail, string remedy) => new(CheckOutcome.Warning, detail, remedy);

    public static CheckStep Fail(KeystoreErrorKind kind, string detail, string remedy) => new(CheckOutcome.Failed, detail, remedy, kind);
}

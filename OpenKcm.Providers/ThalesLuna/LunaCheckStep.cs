using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>What one Test Connection check found, before the runner adds its id and duration.</summary>
internal sealed record LunaCheckStep(CheckOutcome Outcome, string Detail, string? Remedy = null, KeystoreErrorKind? ErrorKind = null)
{
    public static LunaCheckStep Pass(string detail) => new(CheckOutcome.Passed, detail);

    public static LunaCheckStep Warn(string detail, string remedy) => new(CheckOutcome.Warning, detail, remedy);

    public static LunaCheckStep Fail(KeystoreErrorKind kind, string detail, string remedy) => new(CheckOutcome.Failed, detail, remedy, kind);
}

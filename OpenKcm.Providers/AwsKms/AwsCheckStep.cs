using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>What one Test Connection check found, before the runner adds its id and duration.</summary>
internal sealed record AwsCheckStep(CheckOutcome Outcome, string Detail, string? Remedy = null, KeystoreErrorKind? ErrorKind = null)
{
    public static AwsCheckStep Pass(string detail) => new(CheckOutcome.Passed, detail);

    public static AwsCheckStep Warn(string detail, string remedy) => new(CheckOutcome.Warning, detail, remedy);

    public static AwsCheckStep Fail(KeystoreErrorKind kind, string detail, string remedy) => new(CheckOutcome.Failed, detail, remedy, kind);
}

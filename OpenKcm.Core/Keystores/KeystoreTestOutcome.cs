namespace OpenKcm.Core.Keystores;

/// <summary>The overall result of a Test Connection run for one configuration version.</summary>
public enum KeystoreTestOutcome
{
    Passed,

    /// <summary>Every check passed or warned; the version may be activated.</summary>
    PassedWithWarnings,

    /// <summary>At least one check failed (or was skipped after a failure); the version cannot be activated.</summary>
    Failed,
}

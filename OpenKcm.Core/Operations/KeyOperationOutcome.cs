namespace OpenKcm.Core.Operations;

public enum KeyOperationOutcome
{
    Succeeded,
    Failed,

    /// <summary>The caller cancelled; the keystore may or may not have performed the operation.</summary>
    Cancelled,
}

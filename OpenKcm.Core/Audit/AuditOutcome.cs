namespace OpenKcm.Core.Audit;

/// <summary>How an audited action ended.</summary>
public enum AuditOutcome
{
    Success,

    /// <summary>Attempted and failed (invalid input, keystore error, storage error).</summary>
    Failure,

    /// <summary>Refused before it ran: not authorized, or a rule forbids it (e.g. activating an untested version).</summary>
    Denied,
}

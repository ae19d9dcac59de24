namespace OpenKcm.Core.Health;

/// <summary>
/// A background component that can say whether it is working, for the console's <c>/readyz</c> (e.g. the health
/// history writer). Register implementations as <c>IComponentReadiness</c> singletons; each becomes one named check.
/// </summary>
/// <remarks>Called on every <c>/readyz</c> request from any thread: answer from memory, fast, without I/O.</remarks>
public interface IComponentReadiness
{
    /// <summary>Check name shown by <c>/readyz</c> (lower-case, e.g. <c>health-history</c>).</summary>
    string Name { get; }

    /// <summary>Null when ready; otherwise a short reason for operators, never containing a secret.</summary>
    string? NotReadyReason();
}

namespace OpenKcm.Core.Operations;

/// <summary>
/// Where <see cref="KeyOperationRouter"/> writes one <see cref="OperationRecord"/> per routed key operation. The
/// console adapts the audit log to it (Core registers no implementation: an operation must not run unaudited).
/// </summary>
/// <remarks>
/// Singleton, called concurrently from every caller of the router; should be fast (a batching writer). For a
/// successful operation the router awaits <see cref="RecordAsync"/> before returning the result and fails the
/// operation when it throws (the audit promise in design.md). For a failed or cancelled operation a throw is logged
/// and the original error is what the caller sees.
/// </remarks>
public interface IOperationAuditSink
{
    /// <param name="record">Free of key material; safe to store and show.</param>
    /// <param name="cancellationToken">The caller's token (none for cancelled operations, so they are still audited).</param>
    ValueTask RecordAsync(OperationRecord record, CancellationToken cancellationToken);
}

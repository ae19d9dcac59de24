using System.Collections.Concurrent;
using OpenKcm.Core.Operations;

namespace OpenKcm.Core.Tests.Operations;

public sealed class RecordingAuditSink : IOperationAuditSink
{
    public ConcurrentQueue<OperationRecord> Records { get; } = new();

    /// <summary>Set to make the audit write fail.</summary>
    public Exception? FailWith { get; set; }

    public ValueTask RecordAsync(OperationRecord record, CancellationToken cancellationToken)
    {
        if (FailWith is { } error)
        {
            return ValueTask.FromException(error);
        }

        Records.Enqueue(record);
        return ValueTask.CompletedTask;
    }
}

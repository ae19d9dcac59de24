namespace OpenKcm.Core.Audit;

/// <summary>
/// An audit entry could not be made durable. The action it records must fail: callers let this propagate (the same
/// promise OpenBao makes for its audit devices). The message never contains the entry's detail.
/// </summary>
public sealed class AuditWriteException : Exception
{
    public AuditWriteException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

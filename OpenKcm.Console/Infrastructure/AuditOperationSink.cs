using System.Globalization;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Operations;

namespace OpenKcm.Console.Infrastructure;

/// <summary>
/// Records every routed key operation in the audit log (REQ-004). The record carries no key material; an entry that
/// cannot be written fails the operation it records (the audit log's promise).
/// </summary>
internal sealed class AuditOperationSink(AuditLog audit) : IOperationAuditSink
{
    public async ValueTask RecordAsync(OperationRecord record, CancellationToken cancellationToken)
    {
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{record.Operation.ToString().ToLowerInvariant()} on {record.KeystoreName} v{record.KeystoreVersion} " +
            $"in {record.Duration.TotalMilliseconds:0.#} ms, {record.Attempts} attempt(s)");
        if (record.RoutedToBackup)
        {
            detail += $"; served by backup {record.ServedByKeystoreName} v{record.ServedByKeystoreVersion} (routed from {record.KeystoreName})";
        }

        if (record.ErrorKind is { } kind)
        {
            detail += $"; {kind}: {record.ErrorMessage}";
        }

        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.KeystoreOperation,
            Actor = record.Actor,
            Outcome = record.Outcome switch
            {
                KeyOperationOutcome.Succeeded => AuditOutcome.Success,
                _ => AuditOutcome.Failure,
            },
            TenantId = record.TenantId,
            KeystoreId = record.KeystoreId,
            Detail = detail,
        }, cancellationToken);
    }
}

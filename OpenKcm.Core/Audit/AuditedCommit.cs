using OpenKcm.Core.Data;

namespace OpenKcm.Core.Audit;

/// <summary>
/// Commits a unit of work the way every audited change in Core does: the audit entries first (write-ahead, so a change
/// is never committed without its entry: if the entries cannot be written the change fails), then one SaveChanges
/// (one transaction). If the commit itself then fails, a failure entry follows the success entry.
/// <para>
/// No database transaction may be open while appending: SQLite has one writer at a time, and the audit writer needs it.
/// </para>
/// </summary>
internal static class AuditedCommit
{
    public static async Task CommitAsync(
        this AuditLog audit, OpenKcmDbContext db, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(records, cancellationToken).ConfigureAwait(false);
        try
        {
            // Once audited, commit regardless of the caller's token: a half-cancelled change would contradict its entry.
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var failures = records
                .Select(r => r with
                {
                    Outcome = AuditOutcome.Failure,
                    Detail = $"{r.Detail} (not committed: {ex.GetType().Name})".Trim(),
                })
                .ToList();
            try
            {
                await audit.AppendAsync(failures, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AuditWriteException)
            {
                // The original exception is what the caller needs to see; the audit log reports its own failure.
            }

            throw;
        }
    }
}

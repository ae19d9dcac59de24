using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Audit;

/// <summary>
/// The append-only, hash-chained audit log.
/// <para>
/// Lifetime: one singleton per process; registered as a hosted service so the host drains it on shutdown. The writer
/// loop starts on <see cref="StartAsync"/> or on the first append, whichever comes first, so components that audit
/// during startup (database initialization) do not depend on hosted-service order.
/// </para>
/// <para>
/// Threading: <see cref="AppendAsync(AuditRecord, CancellationToken)"/> may be called from any thread. Appends go
/// through a channel to one writer loop that writes each batch in one transaction; being the only writer is what keeps
/// the chain in order (one console process per database). An append completes only once its entry is committed; if
/// the batch cannot be written every append in it throws <see cref="AuditWriteException"/>, and the caller's action
/// must fail.
/// </para>
/// </summary>
public sealed class AuditLog : IHostedService, IAsyncDisposable
{
    /// <summary>Upper bound of entries written in one transaction.</summary>
    public const int MaxBatchSize = 256;

    private const int MaxDetailLength = 1024;

    /// <summary>Actor ids and names come partly from untrusted input (a typed sign-in e-mail): bounded like details.</summary>
    private const int MaxActorLength = 256;
    private const int VerifyPageSize = 1000;

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditLog> _logger;
    private readonly Channel<PendingAppend> _channel =
        Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startLock = new();
    private Task? _loop;

    // Touched only by the writer loop: the last committed entry, or null when it must be (re)read from the database.
    private ChainHead? _head;

    // The highest sequence this process committed; lets VerifyAsync notice a deleted tail.
    private long _lastCommittedSequence;

    internal AuditLog(IDbContextFactory<OpenKcmDbContext> dbFactory, TimeProvider time, ILogger<AuditLog> logger)
    {
        _dbFactory = dbFactory;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Records one action and returns the durable entry. Throws <see cref="AuditWriteException"/> when the entry could
    /// not be written or the log is stopped. Cancelling stops the wait only: an entry already queued is still written.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entries = await AppendAsync([record], cancellationToken).ConfigureAwait(false);
        return entries[0];
    }

    /// <summary>
    /// Records several actions as consecutive entries in one transaction: all become durable or none does.
    /// Same failure and cancellation rules as <see cref="AppendAsync(AuditRecord, CancellationToken)"/>.
    /// </summary>
    public Task<ImmutableArray<AuditEntry>> AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.FromResult(ImmutableArray<AuditEntry>.Empty);
        }

        foreach (var r in records)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(r.Action, nameof(records));
            ArgumentNullException.ThrowIfNull(r.Actor, nameof(records));
        }

        EnsureStarted();
        var pending = new PendingAppend([.. records], _time.GetUtcNow());
        if (!_channel.Writer.TryWrite(pending))
        {
            throw new AuditWriteException("The audit log is stopped, so the action cannot be recorded and was not performed.");
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Walks the whole chain from the first entry and reports the first entry that is missing, edited or out of place.
    /// Reads in pages; safe to run while entries are being appended (it checks what was committed when each page was
    /// read).
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var expected = 1L;
        var previousHash = AuditHasher.GenesisHash;
        var checkedCount = 0L;
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            while (true)
            {
                var from = expected;
                var page = await db.AuditEntries.AsNoTracking()
                    .Where(e => e.Sequence >= from)
                    .OrderBy(e => e.Sequence)
                    .Take(VerifyPageSize)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);

                foreach (var e in page)
                {
                    if (e.Sequence != expected)
                    {
                        return Broken(checkedCount, expected,
                            $"Entry {expected} is missing (the next entry is {e.Sequence}): entries were deleted or renumbered.");
                    }

                    if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
                    {
                        return Broken(checkedCount, e.Sequence,
                            $"Entry {e.Sequence} does not follow entry {e.Sequence - 1}: an entry was replaced, removed or reordered.");
                    }

                    if (!string.Equals(AuditHasher.Compute(e), e.Hash, StringComparison.Ordinal))
                    {
                        return Broken(checkedCount, e.Sequence,
                            $"Entry {e.Sequence} does not match its hash: it was edited after it was written.");
                    }

                    previousHash = e.Hash;
                    expected++;
                    checkedCount++;
                }

                if (page.Count < VerifyPageSize)
                {
                    break;
                }
            }
        }

        var committed = Volatile.Read(ref _lastCommittedSequence);
        if (committed >= expected)
        {
            return Broken(checkedCount, expected,
                $"Entries {expected} to {committed}, written by this process, are missing: the end of the log was deleted.");
        }

        return new AuditVerification
        {
            IsIntact = true,
            EntriesChecked = checkedCount,
            LastHash = checkedCount == 0 ? null : previousHash,
        };
    }

    /// <summary>Entries matching <paramref name="query"/>, newest first.</summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var q = db.AuditEntries.AsNoTracking();
            if (query.From is { } from)
            {
                q = q.Where(e => e.Timestamp >= from);
            }

            if (query.To is { } to)
            {
                q = q.Where(e => e.Timestamp < to);
            }

            if (!string.IsNullOrWhiteSpace(query.Actor))
            {
                var actor = query.Actor.Trim();
                var pattern = "%" + EscapeLike(actor) + "%";
                q = q.Where(e => e.ActorId == actor || EF.Functions.Like(e.ActorName, pattern, "\\"));
            }

            if (!string.IsNullOrWhiteSpace(query.ActionPrefix))
            {
                var prefix = query.ActionPrefix.Trim();
                q = q.Where(e => e.Action.StartsWith(prefix));
            }

            if (query.TenantId is { } tenantId)
            {
                q = q.Where(e => e.TenantId == tenantId);
            }

            if (query.KeystoreId is { } keystoreId)
            {
                q = q.Where(e => e.KeystoreId == keystoreId);
            }

            if (query.Outcome is { } outcome)
            {
                q = q.Where(e => e.Outcome == outcome);
            }

            var total = await q.CountAsync(cancellationToken).ConfigureAwait(false);
            var take = Math.Clamp(query.Take, 1, AuditQuery.MaxTake);
            var entries = await q.OrderByDescending(e => e.Sequence)
                .Skip(Math.Max(0, query.Skip))
                .Take(take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return new AuditPage { Entries = [.. entries], TotalCount = total };
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting entries, writes every entry already queued, then returns.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        Task? loop;
        lock (_startLock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private static AuditVerification Broken(long checkedCount, long sequence, string problem) => new()
    {
        IsIntact = false,
        EntriesChecked = checkedCount,
        FirstBrokenSequence = sequence,
        Problem = problem,
    };

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Truncate(string? detail) => Truncate(detail, MaxDetailLength);

    private static string? Truncate(string? value, int max) =>
        value is { } v && v.Length > max ? v[..(max - 1)] + "…" : value;

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<PendingAppend>();
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < MaxBatchSize && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                count += pending.Records.Count;
            }

            try
            {
                var written = await WriteBatchAsync(batch).ConfigureAwait(false);
                var offset = 0;
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult(written.Slice(offset, pending.Records.Count));
                    offset += pending.Records.Count;
                }
            }
            catch (Exception ex)
            {
                // The chain head in memory may be ahead of what was committed: re-read it before the next batch.
                _head = null;
                _logger.LogError(ex, "Writing {Count} audit entries failed; the actions they record fail.", count);
                var failure = new AuditWriteException(
                    "The audit entry could not be written, so the action was not performed. Check the database.", ex);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(failure);
                }
            }
        }
    }

    private async Task<ImmutableArray<AuditEntry>> WriteBatchAsync(List<PendingAppend> batch)
    {
        var db = await _dbFactory.CreateDbContextAsync().ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var transaction = await db.Database.BeginTransactionAsync().ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var head = _head ?? await LoadHeadAsync(db).ConfigureAwait(false);
                var sequence = head.Sequence;
                var previousHash = head.Hash;
                var entries = ImmutableArray.CreateBuilder<AuditEntry>();
                foreach (var pending in batch)
                {
                    foreach (var r in pending.Records)
                    {
                        sequence++;
                        var detail = Truncate(r.Detail);
                        var hash = AuditHasher.Compute(sequence, pending.Timestamp, r.Actor.Id, r.Actor.Name, r.Action,
                            r.TenantId, r.KeystoreId, r.Outcome, detail, previousHash);
                        entries.Add(new AuditEntry
                        {
                            Sequence = sequence,
                            Timestamp = pending.Timestamp,
                            ActorId = Truncate(r.Actor.Id, MaxActorLength)!,
                            ActorName = Truncate(r.Actor.Name, MaxActorLength)!,
                            Action = r.Action,
                            TenantId = r.TenantId,
                            KeystoreId = r.KeystoreId,
                            Outcome = r.Outcome,
                            Detail = detail,
                            PreviousHash = previousHash,
                            Hash = hash,
                        });
                        previousHash = hash;
                    }
                }

                db.AuditEntries.AddRange(entries);
                await db.SaveChangesAsync().ConfigureAwait(false);
                await transaction.CommitAsync().ConfigureAwait(false);
                _head = new ChainHead(sequence, previousHash);
                Volatile.Write(ref _lastCommittedSequence, sequence);
                return entries.ToImmutable();
            }
        }
    }

    private static async Task<ChainHead> LoadHeadAsync(OpenKcmDbContext db)
    {
        var last = await db.AuditEntries.AsNoTracking()
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync().ConfigureAwait(false);
        return last is null ? new ChainHead(0, AuditHasher.GenesisHash) : new ChainHead(last.Sequence, last.Hash);
    }

    private sealed record ChainHead(long Sequence, string Hash);

    private sealed class PendingAppend(IReadOnlyList<AuditRecord> records, DateTimeOffset timestamp)
    {
        public IReadOnlyList<AuditRecord> Records { get; } = records;

        public DateTimeOffset Timestamp { get; } = timestamp;

        public TaskCompletionSource<ImmutableArray<AuditEntry>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

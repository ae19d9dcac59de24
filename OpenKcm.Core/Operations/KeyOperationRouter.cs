using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using Polly;
using Polly.Retry;

namespace OpenKcm.Core.Operations;

/// <summary>
/// The Plugin Manager's routing of L1 key operations: each operation goes to the pooled connection of the active
/// version of the keystore named by the caller, or of its backup while the <see cref="FailoverCoordinator"/> has
/// failed it over; retryable keystore errors are retried with exponential backoff, every attempt is recorded into the
/// health of the keystore that served it, and every operation is audited once.
/// </summary>
/// <remarks>
/// <para>Singleton, thread-safe, stateless apart from its retry pipeline.</para>
/// <para>Retries: only <see cref="KeystoreException"/>s with <see cref="KeystoreException.IsRetryable"/>, at most
/// <see cref="KeyOperationOptions.MaxRetryAttempts"/> times; a keystore's <see cref="KeystoreException.RetryAfter"/>
/// is honoured up to <see cref="KeyOperationOptions.MaxRetryDelay"/>. Each retry re-reads the keystore's active version,
/// so an operation that straddles a re-versioning continues on the new connection.</para>
/// <para>Health: an attempt that fails with a <see cref="KeystoreException"/> counts against the keystore; other
/// exceptions do not (by the plugin contract they are not keystore-side failures) and neither does the caller's
/// cancellation.</para>
/// <para>Audit: one <see cref="OperationRecord"/> per operation, without key material. A successful operation whose
/// audit record cannot be written fails (the caller gets the audit error, not the result). An operation on a keystore
/// that is not active reaches no keystore and is not audited here: it throws <see cref="KeystoreNotActiveException"/>.</para>
/// <para>Failover: before each attempt the router asks the coordinator where the keystore's operations go. When an
/// attempt on the primary fails with a retryable <see cref="KeystoreException"/> and the primary names a backup, the
/// failure is reported to the coordinator; when the backup is available and the error is not throttling, the same
/// operation continues on the backup at once, without a backoff wait (later operations follow only when the
/// coordinator switched the route). While failed over, a retryable failure on the backup continues the same operation
/// on the primary at once when the primary is not Critical. The backup's own backup is never followed.
/// The <see cref="OperationRecord"/> names the keystore that served the operation
/// (<see cref="OperationRecord.ServedByKeystoreId"/>).</para>
/// <para>Cancellation: the token of each method cancels the attempt in flight and any
/// backoff; a cancelled operation is still audited (as <see cref="KeyOperationOutcome.Cancelled"/>).</para>
/// </remarks>
public sealed class KeyOperationRouter
{
    private readonly KeystoreConnectionManager _connections;
    private readonly IKeystoreHealthRecorder _health;
    private readonly IOperationAuditSink _audit;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<KeyOperationRouter> _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly FailoverCoordinator? _failover;

    /// <summary>Creates the router; <paramref name="failover"/> null means no failover (operations always go to the named keystore).</summary>
    public KeyOperationRouter(
        KeystoreConnectionManager connections,
        IKeystoreHealthRecorder health,
        IOperationAuditSink audit,
        TimeProvider timeProvider,
        IOptions<KeyOperationOptions> options,
        ILogger<KeyOperationRouter> logger,
        FailoverCoordinator? failover = null)
    {
        _failover = failover;
        ArgumentNullException.ThrowIfNull(options);
        _connections = connections;
        _health = health;
        _audit = audit;
        _timeProvider = timeProvider;
        _logger = logger;
        _pipeline = BuildPipeline(options.Value, timeProvider);
    }

    /// <summary>Encrypts L2 key material under the keystore's L1 key.</summary>
    /// <param name="keystoreId">An active keystore; otherwise <see cref="KeystoreNotActiveException"/>.</param>
    /// <param name="plaintext">The L2 key material; never logged, audited or kept.</param>
    /// <param name="associatedData">Bound to the result; the same bytes are needed to unwrap.</param>
    /// <param name="actor">Who asked, for the audit record.</param>
    /// <param name="cancellationToken">Cancels the attempt in flight and any backoff (see remarks on the class).</param>
    /// <returns>The wrapped key, opaque to the caller.</returns>
    public Task<byte[]> WrapAsync(
        Guid keystoreId, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, Actor actor, CancellationToken cancellationToken) =>
        ExecuteAsync(KeyOperationKind.Wrap, keystoreId, plaintext, associatedData, actor, cancellationToken);

    /// <summary>Decrypts what <see cref="WrapAsync"/> returned, with the same associated data.</summary>
    /// <param name="keystoreId">An active keystore; otherwise <see cref="KeystoreNotActiveException"/>.</param>
    /// <param name="wrapped">What <see cref="WrapAsync"/> returned.</param>
    /// <param name="associatedData">The bytes given to <see cref="WrapAsync"/>.</param>
    /// <param name="actor">Who asked, for the audit record.</param>
    /// <param name="cancellationToken">Cancels the attempt in flight and any backoff (see remarks on the class).</param>
    /// <returns>The L2 key material; the caller owns and should clear it.</returns>
    public Task<byte[]> UnwrapAsync(
        Guid keystoreId, ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, Actor actor, CancellationToken cancellationToken) =>
        ExecuteAsync(KeyOperationKind.Unwrap, keystoreId, wrapped, associatedData, actor, cancellationToken);

    private static ResiliencePipeline BuildPipeline(KeyOperationOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            var maxDelay = options.MaxRetryDelay;
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KeystoreException>(static e => e.IsRetryable),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is KeystoreException { RetryAfter: { } retryAfter }
                        ? (TimeSpan?)(retryAfter < maxDelay ? retryAfter : maxDelay)
                        : null),
            });
        }

        return builder.Build();
    }

    private async Task<byte[]> ExecuteAsync(
        KeyOperationKind kind, Guid keystoreId, ReadOnlyMemory<byte> input, ReadOnlyMemory<byte> associatedData, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var operation = new Operation(this, kind, keystoreId, input, associatedData)
        {
            StartedAt = _timeProvider.GetUtcNow(),
            StartedTimestamp = _timeProvider.GetTimestamp(),
        };

        byte[] result;
        try
        {
            result = await _pipeline.ExecuteAsync(
                static (op, ct) => op.Router.AttemptAsync(op, ct), operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (operation.Keystore is not null)
        {
            var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
            await AuditFailureAsync(operation, actor, ex, cancelled).ConfigureAwait(false);
            throw;
        }

        await _audit.RecordAsync(CreateRecord(operation, actor, KeyOperationOutcome.Succeeded, error: null), cancellationToken)
            .ConfigureAwait(false);
        return result;
    }

    private async ValueTask<byte[]> AttemptAsync(Operation operation, CancellationToken cancellationToken)
    {
        operation.Attempts++;
        var primary = await _connections.FindActiveAsync(operation.KeystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreNotActiveException(operation.KeystoreId);
        operation.Keystore = primary;
        operation.ServedBy = primary;

        if (_failover?.BackupInUse(primary) is { } backupId
            && await FindBackupAsync(primary, backupId, cancellationToken).ConfigureAwait(false) is { } inUse)
        {
            try
            {
                return await RunOnAsync(operation, inUse, cancellationToken).ConfigureAwait(false);
            }
            catch (KeystoreException ex) when (ex.IsRetryable && _failover.PrimaryUsable(primary.Id))
            {
                _logger.LogWarning("{Operation} for keystore {KeystoreName} ({KeystoreId}) failed on its backup {BackupName} ({BackupId}); it continues on the primary, which is not Critical.",
                    operation.Kind, primary.Name, primary.Id, inUse.Name, inUse.Id);
                return await RunOnAsync(operation, primary, cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            return await RunOnAsync(operation, primary, cancellationToken).ConfigureAwait(false);
        }
        catch (KeystoreException ex) when (ex.IsRetryable && _failover is not null && primary.BackupKeystoreId is { } named)
        {
            var backup = await FindBackupAsync(primary, named, cancellationToken).ConfigureAwait(false);
            if (!_failover.ReportOperationFailure(primary, backup, operation.Kind, ex) || backup is null)
            {
                throw;
            }

            _logger.LogWarning("{Operation} on keystore {KeystoreName} ({KeystoreId}) continues on its backup {BackupName} ({BackupId}).",
                operation.Kind, primary.Name, primary.Id, backup.Name, backup.Id);
            return await RunOnAsync(operation, backup, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The backup when it is active and of the primary's tenant; null otherwise (never its own backup).</summary>
    private async ValueTask<ActiveKeystore?> FindBackupAsync(ActiveKeystore primary, Guid backupId, CancellationToken cancellationToken)
    {
        var backup = await _connections.FindActiveAsync(backupId, cancellationToken).ConfigureAwait(false);
        return backup is not null && backup.TenantId == primary.TenantId && backup.Id != primary.Id ? backup : null;
    }

    /// <summary>One attempt on <paramref name="keystore"/>; records its health there.</summary>
    private async ValueTask<byte[]> RunOnAsync(Operation operation, ActiveKeystore keystore, CancellationToken cancellationToken)
    {
        operation.ServedBy = keystore;
        var startedAt = _timeProvider.GetTimestamp();
        try
        {
            using var lease = await _connections.AcquireAsync(keystore, cancellationToken).ConfigureAwait(false);
            var result = operation.Kind == KeyOperationKind.Wrap
                ? await lease.Connection.WrapAsync(operation.Input, operation.AssociatedData, cancellationToken).ConfigureAwait(false)
                : await lease.Connection.UnwrapAsync(operation.Input, operation.AssociatedData, cancellationToken).ConfigureAwait(false);
            _health.Record(keystore, HealthObservation.Success(
                HealthObservationSource.Operation, _timeProvider.GetUtcNow(), _timeProvider.GetElapsedTime(startedAt)));
            return result;
        }
        catch (KeystoreException ex)
        {
            var now = _timeProvider.GetUtcNow();
            _health.Record(keystore, HealthObservation.Failure(
                HealthObservationSource.Operation, now, _timeProvider.GetElapsedTime(startedAt), KeystoreHealthError.FromException(ex, now)));
            if (ex.IsRetryable)
            {
                _logger.LogWarning("{Operation} on keystore {KeystoreName} ({KeystoreId}) failed with {ErrorKind} (attempt {Attempt}).",
                    operation.Kind, keystore.Name, keystore.Id, ex.Kind, operation.Attempts);
            }

            throw;
        }
    }

    private async ValueTask AuditFailureAsync(Operation operation, Actor actor, Exception error, bool cancelled)
    {
        try
        {
            var outcome = cancelled ? KeyOperationOutcome.Cancelled : KeyOperationOutcome.Failed;

            // Not the caller's token: a cancelled operation is audited too.
            await _audit.RecordAsync(CreateRecord(operation, actor, outcome, cancelled ? null : error), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception auditError)
        {
            // The caller sees the operation's own error; the audit failure must not hide it.
            _logger.LogError(auditError, "Could not audit a failed {Operation} on keystore {KeystoreId}.", operation.Kind, operation.KeystoreId);
        }
    }

    private OperationRecord CreateRecord(Operation operation, Actor actor, KeyOperationOutcome outcome, Exception? error)
    {
        var keystore = operation.Keystore!;
        var healthError = error is null ? null : KeystoreHealthError.FromException(error, operation.StartedAt);
        return new OperationRecord
        {
            OperationId = Guid.CreateVersion7(operation.StartedAt),
            Operation = operation.Kind,
            Actor = actor,
            KeystoreId = keystore.Id,
            TenantId = keystore.TenantId,
            TenantName = keystore.TenantName,
            KeystoreName = keystore.Name,
            KeystoreKind = keystore.Kind,
            KeystoreVersion = keystore.Version,
            StartedAt = operation.StartedAt,
            Duration = _timeProvider.GetElapsedTime(operation.StartedTimestamp),
            Outcome = outcome,
            Attempts = operation.Attempts,
            ServedByKeystoreId = operation.ServedBy?.Id ?? keystore.Id,
            ServedByKeystoreName = operation.ServedBy?.Name ?? keystore.Name,
            ServedByKeystoreVersion = operation.ServedBy?.Version ?? keystore.Version,
            ErrorKind = healthError?.Kind,
            ErrorMessage = healthError?.Message,
        };
    }

    /// <summary>State of one operation across its attempts (Polly's callback state; no closure per call).</summary>
    private sealed class Operation(
        KeyOperationRouter router, KeyOperationKind kind, Guid keystoreId, ReadOnlyMemory<byte> input, ReadOnlyMemory<byte> associatedData)
    {
        public KeyOperationRouter Router { get; } = router;

        public KeyOperationKind Kind { get; } = kind;

        public Guid KeystoreId { get; } = keystoreId;

        public ReadOnlyMemory<byte> Input { get; } = input;

        public ReadOnlyMemory<byte> AssociatedData { get; } = associatedData;

        public required DateTimeOffset StartedAt { get; init; }

        public required long StartedTimestamp { get; init; }

        public int Attempts { get; set; }

        /// <summary>The keystore (version) of the latest attempt; null until the keystore was found active.</summary>
        public ActiveKeystore? Keystore { get; set; }

        /// <summary>The keystore the latest attempt went to: <see cref="Keystore"/> or its backup.</summary>
        public ActiveKeystore? ServedBy { get; set; }
    }
}

using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Keeps one connection's assumed-role session valid: assumes the role on first use and again once
/// <see cref="AwsSession.RefreshAt"/> has passed (80 % of the lifetime or 5 minutes before expiry, whichever first).
/// </summary>
/// <remarks>
/// Thread-safe. Reading a fresh session is lock-free; a refresh is single-flight: every caller that finds the session
/// due joins the one running AssumeRole (which runs without any caller's cancellation, so one caller giving up does
/// not fail the others; each caller stops waiting when its own token is cancelled). When a refresh fails while the
/// current session is still usable, the session keeps serving and the next refresh is tried after
/// <see cref="RetryAfterFailure"/>; when no usable session is left, the failure is thrown as a
/// <see cref="KeystoreException"/> that states its cause, and for <see cref="RetryAfterFailure"/> after it every caller
/// gets that same failure without a new AssumeRole (so an expired session does not turn into one STS call per request). Time comes from the injected <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class AwsSessionCache
{
    /// <summary>
    /// After a failed AssumeRole, how long until the next attempt: a still-usable session keeps serving meanwhile;
    /// without one, callers get the last failure.
    /// </summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Func<CancellationToken, Task<AwsSession>> _assume;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _roleArn;
    private volatile AwsSession? _current;
    private Task<AwsSession>? _refreshing;
    private DateTimeOffset _nextAttempt = DateTimeOffset.MinValue;
    private KeystoreException? _lastFailure;
    private int _assumed;

    /// <param name="assume">Assumes the role once; throws <see cref="KeystoreException"/> on failure.</param>
    /// <param name="roleArn">For messages.</param>
    /// <param name="time">The clock that decides refresh and expiry.</param>
    /// <param name="logger">Gets refresh failures (never credentials).</param>
    public AwsSessionCache(Func<CancellationToken, Task<AwsSession>> assume, string roleArn, TimeProvider time, ILogger logger)
    {
        _assume = assume;
        _roleArn = roleArn;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last session obtained, or null before the first.</summary>
    public AwsSession? Current => _current;

    /// <summary>Number of successful AssumeRole calls so far (for tests and diagnostics).</summary>
    public int AssumeRoleCount => Volatile.Read(ref _assumed);

    /// <summary>Starts with a session obtained elsewhere (Test Connection's own AssumeRole), without calling AWS.</summary>
    public void Prime(AwsSession session)
    {
        lock (_lock)
        {
            _current ??= session;
        }
    }

    /// <summary>
    /// Forgets <paramref name="stale"/> after AWS called it expired although this clock did not (the clocks differ): the
    /// next <see cref="GetAsync"/> assumes the role again. Does nothing when the session was already replaced.
    /// </summary>
    public void Discard(AwsSession stale)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_current, stale))
            {
                _current = null;
                _nextAttempt = DateTimeOffset.MinValue;
                _lastFailure = null;
            }
        }
    }

    /// <summary>A session that is usable now, refreshing it first when it is due.</summary>
    /// <exception cref="KeystoreException">
    /// No usable session and the role could not be assumed, now or less than <see cref="RetryAfterFailure"/> ago (then the
    /// earlier failure, without calling STS).
    /// </exception>
    public async ValueTask<AwsSession> GetAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var current = _current;
        if (current is not null && now < current.RefreshAt && current.IsUsable(now))
        {
            return current;
        }

        Task<AwsSession> refresh;
        lock (_lock)
        {
            current = _current;
            if (current is not null && current.IsUsable(now) && (now < current.RefreshAt || now < _nextAttempt))
            {
                return current;
            }

            // No usable session and the last AssumeRole failed moments ago: its failure again, without calling STS.
            if (now < _nextAttempt && _lastFailure is { } lastFailure)
            {
                throw Unusable(lastFailure, current);
            }

            refresh = _refreshing ??= RefreshAsync();
        }

        try
        {
            return await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KeystoreException ex) when (current is not null && current.IsUsable(_time.GetUtcNow()))
        {
            _logger.LogWarning("Renewing the AWS session for {RoleArn} failed ({Kind}: {Cause}); the current session stays in use until {Expiration:O}.",
                _roleArn, ex.Kind, ex.Message, current.Expiration);
            return current;
        }
        catch (KeystoreException ex)
        {
            throw Unusable(ex, current);
        }
    }

    private KeystoreException Unusable(KeystoreException cause, AwsSession? current) =>
        new(cause.Kind,
            current is null
                ? $"Could not assume the role {_roleArn}: {cause.Message}"
                : $"The AWS session for {_roleArn} expired at {current.Expiration:O} and could not be renewed: {cause.Message}", cause)
        {
            Permission = cause.Permission,
            RetryAfter = cause.RetryAfter,
            VendorCode = cause.VendorCode,
        };

    private async Task<AwsSession> RefreshAsync()
    {
        // Off the caller's stack, so that the shared task never runs under a caller's lock or context.
        await Task.Yield();
        try
        {
            var session = await _assume(CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _assumed);
            lock (_lock)
            {
                _current = session;
                _lastFailure = null;
            }

            _logger.LogDebug("Assumed {RoleArn}: session {AssumedRoleArn} until {Expiration:O}, refresh at {RefreshAt:O}.",
                _roleArn, session.AssumedRoleArn, session.Expiration, session.RefreshAt);
            return session;
        }
        catch (KeystoreException ex)
        {
            lock (_lock)
            {
                _lastFailure = ex;
                _nextAttempt = _time.GetUtcNow() + RetryAfterFailure;
            }

            throw;
        }
        finally
        {
            lock (_lock)
            {
                _refreshing = null;
            }
        }
    }
}

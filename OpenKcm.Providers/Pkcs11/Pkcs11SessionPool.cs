using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// Logged-in sessions on one token (found by label), shared by concurrent callers: each operation gets a session of its
/// own for its duration, at most <see cref="MaxSessions"/> at once (callers beyond that wait). Thread-safe.
/// </summary>
/// <remarks>
/// <para>Login: PKCS#11 login state belongs to the application and token, not the session, so the pool logs in once
/// and again only after the login was lost. <see cref="Pkcs11Session.Login"/> keeps a process-wide record per token:
/// when the process is already logged in, only the same PIN counts as logged in; another PIN fails
/// (<see cref="Pkcs11LoginRefusal.DifferentPinLoggedIn"/>) without C_Login.</para>
/// <para>Recovery, at most once per operation: CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED or CKR_USER_NOT_LOGGED_IN
/// (sessions closed underneath, e.g. C_CloseAllSessions or an appliance restart) → the idle sessions are checked with
/// C_GetSessionInfo, dead ones forgotten without C_CloseSession (their numbers may already be reused), a new session is
/// opened, the pool logs in again and the operation is retried. CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED,
/// CKR_TOKEN_NOT_PRESENT, CKR_CRYPTOKI_NOT_INITIALIZED and CKR_GENERAL_ERROR → the module is finalized and initialized
/// again, the token found again by label, and the operation retried. An AES-GCM tag that does not verify is not a
/// module failure even when the token says CKR_GENERAL_ERROR (as SoftHSM does): <see cref="Pkcs11Session.DecryptAesGcm"/>
/// tells the two apart by asking the session for its info right after, and marks the exception
/// <see cref="Pkcs11Exception.IsAuthenticationTagFailure"/>; the pool passes it on without any recovery.</para>
/// <para>PIN answers (CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, ...) are never retried: HSMs lock a partition
/// after a few failed logins. The first one is remembered and every later operation fails with it without calling
/// C_Login again; the module also remembers the refused PIN for the life of the process, so a new pool with the same
/// PIN fails at once too (<see cref="Pkcs11LoginRefusal.RefusedEarlier"/>); only a different PIN is sent.</para>
/// <para>Any other <see cref="Pkcs11Exception"/> from an operation closes its session (an operation may still be active
/// in it); the next caller gets a fresh one.</para>
/// <para>The PIN is copied into the pool and zeroed on <see cref="Dispose"/>.</para>
/// </remarks>
public sealed class Pkcs11SessionPool : IDisposable
{
    private readonly Pkcs11Module _module;
    private readonly string _tokenLabel;
    private readonly byte[] _pin;
    private readonly SemaphoreSlim _permits;
    private readonly ConcurrentBag<Pkcs11Session> _idle = [];
    private readonly Lock _openLock = new();

    private nuint? _slot;
    private int _slotGeneration = -1;
    private int _epoch;
    private int _loggedInEpoch = -1;
    private int _loggedInGeneration = -1;
    private Pkcs11Exception? _pinFailure;
    private int _open;
    private long _recoveries;
    private long _reinitializations;
    private long _lastReinitialization = long.MinValue;
    private int _disposed;

    /// <summary>
    /// At most one module reinitialization per this interval from one pool: a token that answers every call with
    /// CKR_GENERAL_ERROR must not be restarted on every operation (and take every other user of the module with it).
    /// </summary>
    public TimeSpan MinimumReinitializationInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <param name="module">The module; the pool does not own the lease.</param>
    /// <param name="tokenLabel">The token (Luna: partition) label.</param>
    /// <param name="pin">The user (Crypto Officer) PIN; copied.</param>
    /// <param name="maxSessions">Upper bound of concurrently open sessions, 1..1024.</param>
    public Pkcs11SessionPool(Pkcs11Module module, string tokenLabel, ReadOnlySpan<byte> pin, int maxSessions)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tokenLabel);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSessions, 1024);
        _module = module;
        _tokenLabel = tokenLabel;
        _pin = pin.ToArray();
        MaxSessions = maxSessions;
        _permits = new SemaphoreSlim(maxSessions, maxSessions);
    }

    public int MaxSessions { get; }

    /// <summary>Sessions this pool opened and has not closed or forgotten yet (idle plus in use).</summary>
    public int OpenSessions => Volatile.Read(ref _open);

    /// <summary>Sessions waiting in the pool.</summary>
    public int IdleSessions => _idle.Count;

    /// <summary>How often a lost session or login was recovered.</summary>
    public long Recoveries => Interlocked.Read(ref _recoveries);

    /// <summary>How often this pool reinitialized the module after a device failure.</summary>
    public long Reinitializations => Interlocked.Read(ref _reinitializations);

    /// <summary>
    /// Runs <paramref name="operation"/> on a logged-in session of its own. The operation runs synchronously on the
    /// calling thread (PKCS#11 calls block); waiting for a free session is asynchronous and cancellable.
    /// </summary>
    /// <exception cref="Pkcs11Exception">The token's answer, after at most one recovery (never for PIN answers).</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for a session.</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public async Task<T> RunAsync<T>(Func<Pkcs11Session, T> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Run(operation);
        }
        finally
        {
            _permits.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_idle.TryTake(out var session))
        {
            Close(session);
        }

        // Under the lock that guards C_Login: a login in flight never sends a half-zeroed PIN (a wrong PIN counts).
        lock (_openLock)
        {
            CryptographicOperations.ZeroMemory(_pin);
        }
    }

    private T Run<T>(Func<Pkcs11Session, T> operation)
    {
        for (var attempt = 0; ; attempt++)
        {
            var epoch = Volatile.Read(ref _epoch);
            var session = Rent();
            try
            {
                var result = operation(session);
                Return(session);
                return result;
            }
            catch (Pkcs11Exception ex) when (ex.IsSessionLost)
            {
                // Not logged in: the session lives, only the (application-wide) login is gone. Otherwise it is dead.
                if (ex.Code == Ckr.UserNotLoggedIn)
                {
                    Return(session);
                }
                else
                {
                    Forget(session);
                }

                if (attempt > 0)
                {
                    throw;
                }

                RecoverSessions(epoch);
            }
            catch (Pkcs11Exception ex) when (ex.IsModuleFailure)
            {
                Close(session);
                if (attempt > 0)
                {
                    throw;
                }

                var now = Environment.TickCount64;
                var last = Interlocked.Read(ref _lastReinitialization);
                if (last != long.MinValue && now - last < (long)MinimumReinitializationInterval.TotalMilliseconds)
                {
                    throw;
                }

                Interlocked.Exchange(ref _lastReinitialization, now);
                if (!_module.Reinitialize(session.Generation))
                {
                    // Initialized by someone else in the process: we may not finalize it, so report the failure as is.
                    throw;
                }

                Interlocked.Increment(ref _reinitializations);
            }
            catch (Pkcs11Exception ex) when (!ex.IsAuthenticationTagFailure)
            {
                // Any other answer of the token may leave an operation active in the session (SoftHSM does after
                // CKR_ARGUMENTS_BAD, and CKR_BUFFER_TOO_SMALL keeps it by design): a later C_EncryptInit would fail with
                // CKR_OPERATION_ACTIVE. Close it rather than hand it to the next caller. If it was the application's last
                // session on the token, the token logged it out: a new epoch makes the next session check the login.
                Close(session);
                lock (_openLock)
                {
                    _epoch++;
                }

                throw;
            }
            catch
            {
                // A tag that did not verify (the session was asked and is intact) or a failure of ours (arguments, key
                // lookup) before or outside a token operation: the session is sound, reuse it.
                Return(session);
                throw;
            }
        }
    }

    private Pkcs11Session Rent()
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.IsAlive && idle.Generation == _module.Generation)
            {
                if (Volatile.Read(ref _loggedInEpoch) == Volatile.Read(ref _epoch))
                {
                    return idle;
                }

                return LoggedIn(idle);
            }

            Close(idle);
        }

        return LoggedIn(Open());
    }

    private Pkcs11Session Open()
    {
        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var slot = ResolveSlot();
            var session = _module.OpenSession(slot);
            Interlocked.Increment(ref _open);
            return session;
        }
    }

    /// <summary>Logs in unless this pool already did in the current epoch and module generation; never after a PIN failure.</summary>
    private Pkcs11Session LoggedIn(Pkcs11Session session)
    {
        lock (_openLock)
        {
            if (_pinFailure is { } failed)
            {
                Return(session);
                throw new Pkcs11Exception("C_Login", failed.Code,
                    "not retried: an earlier login with this PIN was refused, and HSMs lock a partition after a few failures")
                {
                    LoginRefusal = Pkcs11LoginRefusal.RefusedEarlier,
                };
            }

            if (_loggedInEpoch == _epoch && _loggedInGeneration == session.Generation)
            {
                return session;
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                Return(session);
                throw new ObjectDisposedException(nameof(Pkcs11SessionPool));
            }

            try
            {
                session.Login(_pin);
            }
            catch (Pkcs11Exception ex) when (ex.IsPinFailure)
            {
                // Another PIN logged in elsewhere in the process is not an answer about ours: ask again next time (no
                // C_Login is sent while that login lasts).
                if (ex.LoginRefusal != Pkcs11LoginRefusal.DifferentPinLoggedIn)
                {
                    _pinFailure = ex;
                }

                Return(session);
                throw;
            }
            catch
            {
                Close(session);
                throw;
            }

            _loggedInEpoch = _epoch;
            _loggedInGeneration = session.Generation;
            return session;
        }
    }

    /// <summary>
    /// After a session was lost: a new epoch (forces a login check), idle sessions that still answer are kept, dead ones
    /// forgotten. Under the open lock so no session of ours is opened (and could reuse a dead handle number) meanwhile.
    /// </summary>
    private void RecoverSessions(int observedEpoch)
    {
        lock (_openLock)
        {
            if (_epoch != observedEpoch)
            {
                return;
            }

            Interlocked.Increment(ref _recoveries);
            var keep = new List<Pkcs11Session>();
            while (_idle.TryTake(out var idle))
            {
                try
                {
                    _ = idle.GetInfo();
                    keep.Add(idle);
                }
                catch (Pkcs11Exception ex) when (ex.IsSessionLost)
                {
                    Forget(idle);
                }
                catch (Pkcs11Exception)
                {
                    Close(idle);
                }
            }

            foreach (var s in keep)
            {
                _idle.Add(s);
            }

            _epoch++;
        }
    }

    private nuint ResolveSlot()
    {
        var generation = _module.Generation;
        if (_slot is { } known && _slotGeneration == generation)
        {
            return known;
        }

        var tokens = _module.FindTokens(_tokenLabel);
        if (tokens.Length != 1)
        {
            throw new Pkcs11Exception("C_GetTokenInfo", Ckr.TokenNotPresent,
                tokens.Length == 0 ? $"no token labelled '{_tokenLabel}'" : $"{tokens.Length} tokens are labelled '{_tokenLabel}'");
        }

        _slot = tokens[0].SlotId;
        _slotGeneration = generation;
        return tokens[0].SlotId;
    }

    private void Return(Pkcs11Session session)
    {
        if (Volatile.Read(ref _disposed) != 0 || !session.IsAlive)
        {
            Close(session);
            return;
        }

        _idle.Add(session);
    }

    private void Close(Pkcs11Session session)
    {
        session.Dispose();
        Interlocked.Decrement(ref _open);
    }

    private void Forget(Pkcs11Session session)
    {
        session.Abandon();
        Interlocked.Decrement(ref _open);
    }
}

using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace OpenKcm.Core.Health;

/// <summary>
/// The live health of every monitored keystore, for the dashboard, the kiosk page, the hub and (later) alerts:
/// a snapshot plus a stream of changes per subscriber, modelled on the dotnet/aspire dashboard's resource feed.
/// </summary>
/// <remarks>
/// <para>Singleton, thread-safe. Written by <see cref="KeystoreHealthMonitor"/> through <see cref="Upsert"/> and
/// <see cref="Remove"/> (tests of consumers may call them directly to drive a component).</para>
/// <para>Every subscriber gets its own buffer that holds at most one pending change per keystore: a newer change
/// for a keystore replaces the older one not yet read (coalescing, never dropping a keystore's latest state or
/// its removal). So a subscriber that stops reading costs memory bounded by the number of keystores and never
/// slows the monitor or the other subscribers; when it reads again it gets the latest state of what changed.</para>
/// <para>Batches are delivered at most once per <see cref="HealthOptions.FeedBatchInterval"/> (250 ms by default):
/// a burst of changes collapses into one batch, so a flapping keystore cannot re-render a page hundreds of times
/// a second. The first batch after subscribing is delivered as soon as there is a change.</para>
/// </remarks>
public sealed class HealthFeed
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, KeystoreHealth> _current = [];
    private readonly List<Subscriber> _subscribers = [];
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _batchInterval;

    public HealthFeed(TimeProvider timeProvider, IOptions<HealthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _batchInterval = options.Value.FeedBatchInterval;
    }

    /// <summary>Live subscriptions (for tests and diagnostics): a released subscription is no longer counted.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The current state of all monitored keystores, ordered by tenant name then keystore name.</summary>
    public ImmutableArray<KeystoreHealth> GetSnapshot()
    {
        lock (_lock)
        {
            return CreateSnapshot();
        }
    }

    /// <summary>The current state of one keystore, or null when it is not monitored.</summary>
    public KeystoreHealth? Find(Guid keystoreId)
    {
        lock (_lock)
        {
            return _current.GetValueOrDefault(keystoreId);
        }
    }

    /// <summary>
    /// Returns the current snapshot and a stream of the changes after it. The snapshot is taken and the subscriber
    /// registered under one lock, so no change falls between them.
    /// </summary>
    /// <param name="cancellationToken">
    /// Ends the subscription: tie it to the consumer's lifetime (a component's dispose, a hub connection). The
    /// subscription is also released when the enumeration of <see cref="HealthFeedSubscription.Changes"/> ends, so
    /// a consumer that breaks out of its loop does not leak it either.
    /// </param>
    public HealthFeedSubscription Subscribe(CancellationToken cancellationToken = default)
    {
        var subscriber = new Subscriber(this, cancellationToken);
        ImmutableArray<KeystoreHealth> snapshot;
        lock (_lock)
        {
            snapshot = CreateSnapshot();
            _subscribers.Add(subscriber);
        }

        // Registered outside the lock: an already-cancelled token runs the callback inline, which takes the lock.
        subscriber.ReleaseWhenCancelled();
        return new HealthFeedSubscription { Snapshot = snapshot, Changes = subscriber.ReadBatchesAsync() };
    }

    /// <summary>
    /// Adds or replaces the state of <see cref="KeystoreHealth.KeystoreId"/> and tells every subscriber. A value equal
    /// to the current one is ignored. Never blocks on subscribers.
    /// </summary>
    public void Upsert(KeystoreHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        lock (_lock)
        {
            if (_current.TryGetValue(health.KeystoreId, out var existing) && existing == health)
            {
                return;
            }

            _current[health.KeystoreId] = health;
            PostLocked(KeystoreHealthChange.Upserted(health));
        }
    }

    /// <summary>Removes a keystore and tells every subscriber; ignored when the keystore is not in the feed.</summary>
    public void Remove(Guid keystoreId)
    {
        lock (_lock)
        {
            if (_current.Remove(keystoreId))
            {
                PostLocked(KeystoreHealthChange.Removed(keystoreId));
            }
        }
    }

    private void PostLocked(KeystoreHealthChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Post(change);
        }
    }

    private ImmutableArray<KeystoreHealth> CreateSnapshot() =>
    [
        .. _current.Values
            .OrderBy(h => h.TenantName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(h => h.KeystoreId),
    ];

    private void RemoveSubscriber(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    /// <summary>One consumer's buffer: the latest pending change per keystore, plus a wake-up signal.</summary>
    private sealed class Subscriber(HealthFeed feed, CancellationToken subscriptionToken)
    {
        private readonly Lock _pendingLock = new();
        private readonly OrderedDictionary<Guid, KeystoreHealthChange> _pending = [];

        // Capacity 1, DropWrite: a set signal stays set however many changes arrive; the changes themselves are in
        // _pending. The writer (the feed, under its lock) therefore never waits and never allocates per change.
        private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });

        private CancellationTokenRegistration _registration;
        private int _enumerated;
        private int _released;

        public void ReleaseWhenCancelled() =>
            _registration = subscriptionToken.Register(static s => ((Subscriber)s!).Release(), this);

        /// <summary>Called by the feed under its lock.</summary>
        public void Post(KeystoreHealthChange change)
        {
            lock (_pendingLock)
            {
                _pending[change.KeystoreId] = change;
            }

            _signal.Writer.TryWrite(true);
        }

        public async IAsyncEnumerable<IReadOnlyList<KeystoreHealthChange>> ReadBatchesAsync(
            [EnumeratorCancellation] CancellationToken enumeratorToken = default)
        {
            // Checked before the try: a second enumeration must not release the first one's subscription.
            if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            {
                throw new InvalidOperationException("A health feed subscription can be enumerated only once.");
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(subscriptionToken, enumeratorToken);
            var cancellationToken = linked.Token;
            try
            {
                long? lastBatchAt = null;
                while (await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (lastBatchAt is { } last)
                    {
                        var wait = feed._batchInterval - feed._timeProvider.GetElapsedTime(last);
                        if (wait > TimeSpan.Zero)
                        {
                            // Changes keep arriving in _pending meanwhile and go out together after the wait.
                            await Task.Delay(wait, feed._timeProvider, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    // Clear the signal before draining: a change posted after the drain sets it again.
                    _signal.Reader.TryRead(out _);
                    var batch = TakePending();
                    if (batch.Length == 0)
                    {
                        continue;
                    }

                    lastBatchAt = feed._timeProvider.GetTimestamp();
                    yield return batch;
                }

                // Released through the subscription token: end like any cancelled enumeration.
                cancellationToken.ThrowIfCancellationRequested();
            }
            finally
            {
                Release();
                _registration.Dispose();
            }
        }

        private KeystoreHealthChange[] TakePending()
        {
            lock (_pendingLock)
            {
                var batch = _pending.Values.ToArray();
                _pending.Clear();
                return batch;
            }
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            feed.RemoveSubscriber(this);
            _signal.Writer.TryComplete();
            lock (_pendingLock)
            {
                _pending.Clear();
            }
        }
    }
}

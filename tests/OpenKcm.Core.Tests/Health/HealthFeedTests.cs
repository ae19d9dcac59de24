using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Health;

namespace OpenKcm.Core.Tests.Health;

public sealed class HealthFeedTests
{
    private static readonly TimeSpan s_batchInterval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Subscribe_WhileChangesArePublished_SnapshotPlusChangesMissNothing()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToArray();
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The publisher holds its last upsert until the test has subscribed, so the subscription always lands mid-stream
        // however late the test thread runs; everything between halfway and that point still races the subscription.
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = Task.Run(async () =>
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (i == ids.Length / 2)
                {
                    halfway.SetResult();
                }

                if (i == ids.Length - 1)
                {
                    await subscribed.Task;
                }

                feed.Upsert(TestHealth.Create(ids[i]));
                feed.Upsert(TestHealth.Create(ids[0], successCount: i)); // one keystore changing all along
            }
        });
        await halfway.Task;
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);

        var subscription = feed.Subscribe(cts.Token);
        subscribed.SetResult();
        var view = subscription.Snapshot.ToDictionary(h => h.KeystoreId);
        await publisher.WaitAsync(Eventually.DefaultTimeout);
        var final = feed.GetSnapshot();
        await foreach (var batch in subscription.Changes)
        {
            TestHealth.Apply(view, batch);
            if (view.Count == ids.Length && view[ids[0]].SuccessCount == ids.Length - 1)
            {
                break;
            }
        }

        Assert.InRange(subscription.Snapshot.Length, 1, ids.Length - 1); // subscribed mid-stream
        Assert.Equal(final.OrderBy(h => h.KeystoreId), view.Values.OrderBy(h => h.KeystoreId));
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Changes_BurstWithinBatchInterval_ArriveAsOneBatch()
    {
        var clock = new ManualTimeProvider();
        var feed = CreateFeed(clock, s_batchInterval);
        using var cts = new CancellationTokenSource();
        var batches = StartReading(feed.Subscribe(cts.Token), cts.Token);
        feed.Upsert(TestHealth.Create(Guid.NewGuid()));
        var first = await batches.ReadAsync().AsTask().WaitAsync(Eventually.DefaultTimeout);

        var burst = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in burst)
        {
            feed.Upsert(TestHealth.Create(id));
        }

        var earlyBatch = batches.TryRead(out _);
        await ReaderWaitsForBatchIntervalAsync(clock);
        clock.Advance(s_batchInterval);
        var second = await batches.ReadAsync().AsTask().WaitAsync(Eventually.DefaultTimeout);

        Assert.Single(first);
        Assert.False(earlyBatch);
        Assert.Equal(burst, second.Select(c => c.KeystoreId));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Changes_SameKeystoreChangedRepeatedly_CoalescedToLatestState()
    {
        var clock = new ManualTimeProvider();
        var feed = CreateFeed(clock, s_batchInterval);
        var id = Guid.NewGuid();
        using var cts = new CancellationTokenSource();
        var batches = StartReading(feed.Subscribe(cts.Token), cts.Token);
        feed.Upsert(TestHealth.Create(id));
        await batches.ReadAsync().AsTask().WaitAsync(Eventually.DefaultTimeout);

        for (var i = 1; i <= 100; i++)
        {
            feed.Upsert(TestHealth.Create(id, successCount: i));
        }

        await ReaderWaitsForBatchIntervalAsync(clock);
        clock.Advance(s_batchInterval);
        var batch = await batches.ReadAsync().AsTask().WaitAsync(Eventually.DefaultTimeout);

        var change = Assert.Single(batch);
        Assert.Equal(100, change.Health!.SuccessCount);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Changes_UpsertThenRemoveBeforeRead_DeliversRemoval()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        var id = Guid.NewGuid();
        feed.Upsert(TestHealth.Create(id));
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        var subscription = feed.Subscribe(cts.Token);

        feed.Upsert(TestHealth.Create(id, successCount: 1));
        feed.Remove(id);
        await using var changes = subscription.Changes.GetAsyncEnumerator(cts.Token);
        Assert.True(await changes.MoveNextAsync());

        Assert.Single(subscription.Snapshot);
        var change = Assert.Single(changes.Current);
        Assert.Equal(KeystoreHealthChange.Removed(id), change);
        Assert.Empty(feed.GetSnapshot());
    }

    [Fact]
    public async Task Publish_EqualStateOrUnknownRemoval_SendsNothing()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        var id = Guid.NewGuid();
        feed.Upsert(TestHealth.Create(id));
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        var subscription = feed.Subscribe(cts.Token);

        feed.Upsert(TestHealth.Create(id));
        feed.Remove(Guid.NewGuid());
        var sentinel = TestHealth.Create(Guid.NewGuid(), name: "sentinel");
        feed.Upsert(sentinel);
        await using var changes = subscription.Changes.GetAsyncEnumerator(cts.Token);
        Assert.True(await changes.MoveNextAsync());

        Assert.Equal([KeystoreHealthChange.Upserted(sentinel)], changes.Current);
    }

    [Fact]
    public async Task Subscription_EnumerationCancelled_SubscriberRemoved()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        using var cts = new CancellationTokenSource();
        var subscription = feed.Subscribe();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Task.Run(async () =>
        {
            started.SetResult();
            await foreach (var _ in subscription.Changes.WithCancellation(cts.Token))
            {
            }
        });
        await started.Task;
        var whileSubscribed = feed.SubscriberCount;

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Eventually.DefaultTimeout));
        Assert.Equal(1, whileSubscribed);
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Subscription_TokenCancelledBeforeEnumerating_SubscriberRemoved()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        using var cts = new CancellationTokenSource();
        var subscription = feed.Subscribe(cts.Token);
        var whileSubscribed = feed.SubscriberCount;

        await cts.CancelAsync();

        Assert.Equal(1, whileSubscribed);
        Assert.Equal(0, feed.SubscriberCount);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in subscription.Changes)
            {
            }
        });
    }

    [Fact]
    public async Task Subscription_ConsumerBreaksOutOfLoop_SubscriberRemoved()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        var subscription = feed.Subscribe();
        feed.Upsert(TestHealth.Create(Guid.NewGuid()));

        await foreach (var _ in subscription.Changes)
        {
            break;
        }

        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task Subscription_EnumeratedTwice_SecondEnumerationThrowsAndFirstKeepsWorking()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.Zero);
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        var subscription = feed.Subscribe(cts.Token);
        await using var first = subscription.Changes.GetAsyncEnumerator(cts.Token);
        var firstMove = first.MoveNextAsync();

        await using var second = subscription.Changes.GetAsyncEnumerator(cts.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.MoveNextAsync().AsTask());
        feed.Upsert(TestHealth.Create(Guid.NewGuid()));

        Assert.True(await firstMove);
        Assert.Equal(1, feed.SubscriberCount);
    }

    [Fact]
    public async Task Publish_SubscriberStopsReading_OthersKeepReceivingAndPublisherNeverBlocks()
    {
        var feed = CreateFeed(TimeProvider.System, TimeSpan.FromMilliseconds(10));
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToArray();
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        var stalled = feed.Subscribe(cts.Token);
        await using var stalledChanges = stalled.Changes.GetAsyncEnumerator(cts.Token);
        feed.Upsert(TestHealth.Create(ids[0]));
        Assert.True(await stalledChanges.MoveNextAsync()); // reads once, then stops reading
        var active = feed.Subscribe(cts.Token);
        var view = active.Snapshot.ToDictionary(h => h.KeystoreId);
        var reader = Task.Run(async () =>
        {
            await foreach (var batch in active.Changes)
            {
                TestHealth.Apply(view, batch);
                if (view.Count == ids.Length && view.Values.All(h => h.SuccessCount == 1_999))
                {
                    return;
                }
            }
        });

        await Task.Run(() =>
        {
            for (var round = 0; round < 2_000; round++)
            {
                foreach (var id in ids)
                {
                    feed.Upsert(TestHealth.Create(id, successCount: round));
                }
            }
        }).WaitAsync(Eventually.DefaultTimeout);
        await reader.WaitAsync(Eventually.DefaultTimeout);
        Assert.True(await stalledChanges.MoveNextAsync());

        Assert.Equal(ids.Length, stalledChanges.Current.Count); // one pending change per keystore, not 100,000
        Assert.All(stalledChanges.Current, c => Assert.Equal(1_999, c.Health!.SuccessCount));
    }

    private static HealthFeed CreateFeed(TimeProvider timeProvider, TimeSpan batchInterval) =>
        new(timeProvider, Options.Create(new HealthOptions { FeedBatchInterval = batchInterval }));

    /// <summary>Reads the subscription on a background loop, as a component does, handing batches to the test.</summary>
    private static ChannelReader<IReadOnlyList<KeystoreHealthChange>> StartReading(HealthFeedSubscription subscription, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<IReadOnlyList<KeystoreHealthChange>>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in subscription.Changes.WithCancellation(cancellationToken))
                {
                    channel.Writer.TryWrite(batch);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);
        return channel.Reader;
    }

    /// <summary>
    /// Advancing the fake clock before the reader has armed its batch-interval delay would be lost (the delay would then
    /// wait for a tick that never comes): wait until the timer exists.
    /// </summary>
    private static Task ReaderWaitsForBatchIntervalAsync(ManualTimeProvider clock) =>
        Eventually.UntilAsync(() => clock.ActiveTimerCount > 0, "the reader waits for the batch interval");
}

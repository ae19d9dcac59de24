using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Hubs;

/// <summary>
/// Runs the <see cref="HealthHub.Watch"/> streams: one <see cref="HealthFeed"/> subscription per stream, a bounded
/// buffer between the feed and the connection, heartbeats, and the caller's re-check at every heartbeat
/// (<see cref="SessionValidator"/>: a display token revoked or expired, a user removed, locked out or with a renewed
/// security stamp ends the stream and closes the connection). Singleton, thread-safe.
/// </summary>
public sealed class HealthHubStreams(
    HealthFeed feed, DisplayTokenService tokens, SessionValidator sessions, TimeProvider time, IOptions<HealthHubOptions> options, ILogger<HealthHubStreams> logger)
{
    private const string RevokedMessage = "The display token was revoked or has expired.";

    private const string SignedOutMessage = "Your sign-in is no longer valid (account locked, removed or changed); sign in again.";

    private static readonly TimeSpan s_abortGrace = TimeSpan.FromSeconds(1);

    private readonly HealthHubOptions _options = options.Value;
    private readonly HealthFeed _feed = feed;
    private readonly DisplayTokenService _tokens = tokens;
    private readonly SessionValidator _sessions = sessions;
    private readonly TimeProvider _time = time;
    private readonly ILogger<HealthHubStreams> _logger = logger;

    /// <summary>
    /// Opens a stream for <paramref name="user"/>. The returned reader's first item is the snapshot. The feed
    /// subscription is released when <paramref name="cancellationToken"/> is cancelled (stream cancelled or connection
    /// closed) or the stream ends for any other reason.
    /// </summary>
    /// <param name="user">The hub caller; re-checked at every heartbeat for the life of the stream.</param>
    /// <param name="abortConnection">Closes the caller's connection; called shortly after the caller stops being valid.</param>
    /// <param name="cancellationToken">SignalR's stream token: cancelled when the client cancels or disconnects.</param>
    /// <exception cref="HubException">The caller's display token or sign-in is no longer valid.</exception>
    public async Task<ChannelReader<HealthHubMessage>> OpenAsync(ClaimsPrincipal user, Action abortConnection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var displayTokenId = DisplayPrincipal.TokenIdOf(user);
        if (!await _sessions.IsStillValidAsync(user, cancellationToken))
        {
            throw new HubException(displayTokenId is null ? SignedOutMessage : RevokedMessage);
        }

        var channel = Channel.CreateBounded<HealthHubMessage>(new BoundedChannelOptions(Math.Max(2, _options.StreamBufferCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        var stream = new Stream(this, channel.Writer, user, displayTokenId, abortConnection, cancellationToken);
        stream.Start();
        return channel.Reader;
    }

    private sealed class Stream(
        HealthHubStreams owner, ChannelWriter<HealthHubMessage> writer, ClaimsPrincipal user, Guid? displayTokenId, Action abortConnection,
        CancellationToken callerToken)
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        private volatile bool _invalid;

        public void Start()
        {
            // Subscribe before returning the reader, so the snapshot is the first item and no change is missed.
            var subscription = owner._feed.Subscribe(_cts.Token);
            writer.TryWrite(new HealthHubMessage
            {
                Type = HealthHubMessage.Types.Snapshot,
                ServerTime = owner._time.GetUtcNow(),
                Keystores = [.. subscription.Snapshot.Select(KeystoreHealthDto.From)],
            });
            if (displayTokenId is not null)
            {
                owner._tokens.Revoked += OnRevoked;
            }

            _ = RunAsync(subscription);
        }

        private async Task RunAsync(HealthFeedSubscription subscription)
        {
            var token = _cts.Token;
            Exception? error = null;
            try
            {
                var changes = PumpChangesAsync(subscription, token);
                var heartbeats = HeartbeatAsync(token);
                var first = await Task.WhenAny(changes, heartbeats);
                await first;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (CallerInvalidException)
            {
                _invalid = true;
                error = new HubException(displayTokenId is null ? SignedOutMessage : RevokedMessage);
            }
            catch (Exception ex)
            {
                owner._logger.LogError(ex, "A health hub stream failed.");
                error = new HubException("The health stream failed on the server.");
            }
            finally
            {
                if (displayTokenId is not null)
                {
                    owner._tokens.Revoked -= OnRevoked;
                }

                await _cts.CancelAsync();
                writer.TryComplete(error);
                _cts.Dispose();
            }

            if (_invalid)
            {
                // Give the completion (with its reason) a moment to reach the client, then close the connection so
                // it cannot open another stream with the credential it was authenticated with.
                try
                {
                    await Task.Delay(s_abortGrace, owner._time, callerToken);
                }
                catch (OperationCanceledException)
                {
                }

                abortConnection();
            }
        }

        private async Task PumpChangesAsync(HealthFeedSubscription subscription, CancellationToken token)
        {
            await foreach (var batch in subscription.Changes.WithCancellation(token))
            {
                await writer.WriteAsync(new HealthHubMessage
                {
                    Type = HealthHubMessage.Types.Changes,
                    ServerTime = owner._time.GetUtcNow(),
                    Changes = [.. batch.Select(ToDto)],
                }, token);
            }
        }

        private async Task HeartbeatAsync(CancellationToken token)
        {
            using var timer = new PeriodicTimer(owner._options.HeartbeatInterval, owner._time);
            while (await timer.WaitForNextTickAsync(token))
            {
                if (!await owner._sessions.IsStillValidAsync(user, token))
                {
                    throw new CallerInvalidException();
                }

                // Dropped when the buffer is full: the consumer is behind, and the next change or heartbeat tells it
                // the server is alive.
                writer.TryWrite(new HealthHubMessage { Type = HealthHubMessage.Types.Heartbeat, ServerTime = owner._time.GetUtcNow() });
            }
        }

        private void OnRevoked(Guid revokedId)
        {
            if (revokedId != displayTokenId)
            {
                return;
            }

            // Now, rather than at the next heartbeat's re-check: complete the stream with the reason, then stop the
            // pumps (RunAsync closes the connection after a grace).
            _invalid = true;
            writer.TryComplete(new HubException(RevokedMessage));
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream had already ended.
            }
        }

        private static KeystoreHealthChangeDto ToDto(KeystoreHealthChange change) => change.Kind == KeystoreHealthChangeKind.Removed
            ? new() { Kind = KeystoreHealthChangeDto.Removed, KeystoreId = change.KeystoreId }
            : new() { Kind = KeystoreHealthChangeDto.Upserted, KeystoreId = change.KeystoreId, Keystore = KeystoreHealthDto.From(change.Health!) };
    }

    private sealed class CallerInvalidException : Exception;
}

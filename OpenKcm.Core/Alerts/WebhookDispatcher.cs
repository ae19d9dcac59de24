using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Delivers queued <see cref="WebhookDelivery"/> rows: a signed JSON POST per attempt with a per-request timeout, and
/// exponential backoff with jitter between attempts, until 2xx or <see cref="AlertOptions.WebhookMaxAttempts"/>.
/// <para>
/// Isolation: at most <see cref="AlertOptions.WebhookMaxParallelPerWebhook"/> requests per webhook are in flight;
/// the loop never awaits a request, so a hanging or failing endpoint delays only its own deliveries. State is written
/// before and after every attempt; at start, rows left Delivering by a stopped process are attempted again, so
/// deliveries resume after a restart (an endpoint may therefore see an event twice: it dedupes by event id).
/// </para>
/// <para>
/// A result that cannot be written (database busy or failing) is kept in memory and written again on every pass of
/// the loop until it is stored. A row still Delivering with no request in flight and no result waiting, whose last
/// attempt is older than the request timeout plus <see cref="StaleDeliveringMargin"/>, is made Pending again and
/// resent, so no row is stuck Delivering until the next restart.
/// </para>
/// <para>
/// Secrets: the signing secret is read from the vault (audited <c>secret.use</c>) once per webhook and secret
/// version, then kept in memory for this process; it never appears in a log line, error or state.
/// </para>
/// <para>Lifetime: singleton and hosted service; <see cref="StopAsync"/> cancels requests in flight (they are retried
/// on the next start).</para>
/// </summary>
public sealed class WebhookDispatcher : IHostedService, IAsyncDisposable
{
    private const int BatchSize = 100;
    private const int MaxErrorLength = 512;

    /// <summary>Added to the request timeout before a Delivering row with no request in flight is reclaimed.</summary>
    internal static readonly TimeSpan StaleDeliveringMargin = TimeSpan.FromMinutes(1);

    private static readonly Actor s_actor = Actor.Component("webhooks");

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly CredentialVault _vault;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly Action _changed;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();
    private readonly ConcurrentDictionary<Guid, int> _perWebhook = new();
    private readonly ConcurrentDictionary<Guid, (int Version, byte[] Key)> _secrets = new();
    private readonly ConcurrentDictionary<Guid, Result> _unrecorded = new();
    private Task? _loop;

    internal WebhookDispatcher(
        IDbContextFactory<OpenKcmDbContext> dbFactory,
        CredentialVault vault,
        AuditLog audit,
        TimeProvider time,
        AlertOptions options,
        ILogger<WebhookDispatcher> logger,
        Action changed,
        HttpMessageHandler? handler = null)
    {
        _dbFactory = dbFactory;
        _vault = vault;
        _audit = audit;
        _time = time;
        _options = options;
        _logger = logger;
        _changed = changed;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            // Redirects are not followed: a 3xx counts as a failure, so a webhook cannot be bounced to another host.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.WebhookRequestTimeout,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("OpenKCM-Console", "1"));
    }

    /// <summary>Requests in flight now (all webhooks).</summary>
    public int InFlightCount => _inFlight.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        try
        {
            await Task.WhenAll(_inFlight.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
        _wake.Dispose();
        foreach (var (_, key) in _secrets.Values)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Something new may be due: look now instead of at the next poll. Never blocks.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>The delay before attempt <paramref name="attemptsMade"/> + 1: base × 2^(n−1), capped, ±20 % jitter.</summary>
    internal TimeSpan RetryDelay(int attemptsMade)
    {
        var exponent = Math.Clamp(attemptsMade - 1, 0, 30);
        var ticks = Math.Min(_options.WebhookRetryBaseDelay.Ticks * Math.Pow(2, exponent), _options.WebhookMaxRetryDelay.Ticks);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }

    private async Task LoopAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await ResumeInterruptedAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not reset interrupted webhook deliveries at start.");
        }

        while (!ct.IsCancellationRequested)
        {
            var wait = _options.WebhookPollInterval;
            try
            {
                var next = await DispatchDueAsync(ct).ConfigureAwait(false);
                if (next is { } due)
                {
                    var until = due - _time.GetUtcNow();
                    if (until < wait)
                    {
                        wait = until < TimeSpan.Zero ? TimeSpan.Zero : until;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database may be unavailable for a while; try again at the next poll.
                _logger.LogError(ex, "Webhook dispatch failed; retrying.");
            }

            try
            {
                await WaitAsync(wait, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = _wake.WaitAsync(linked.Token);
        var timer = Task.Delay(wait, _time, linked.Token);
        await Task.WhenAny(woken, timer).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private async Task ResumeInterruptedAsync(CancellationToken ct)
    {
        var db = await _dbFactory.CreateDbContextAsync(ct).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var now = _time.GetUtcNow();
            var interrupted = await db.WebhookDeliveries.Where(d => d.State == WebhookDeliveryState.Delivering)
                .ToListAsync(ct).ConfigureAwait(false);
            foreach (var d in interrupted)
            {
                d.State = WebhookDeliveryState.Pending;
                d.NextAttemptAt = now;
                d.LastError = "Interrupted by a console restart; sending again.";
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (interrupted.Count > 0)
            {
                _logger.LogInformation("Resuming {Count} webhook deliveries interrupted by a restart.", interrupted.Count);
            }
        }
    }

    /// <summary>Starts every due delivery that has a free slot; returns when the next pending one is due.</summary>
    private async Task<DateTimeOffset?> DispatchDueAsync(CancellationToken ct)
    {
        await RecordUnrecordedAsync().ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var db = await _dbFactory.CreateDbContextAsync(ct).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            await ReclaimStaleAsync(db, now, ct).ConfigureAwait(false);
            var enabled = await db.Webhooks.AsNoTracking().Select(w => new { w.Id, w.Enabled, w.Url, w.Name, w.SecretVersion })
                .ToDictionaryAsync(w => w.Id, ct).ConfigureAwait(false);
            var busy = _inFlight.Keys.ToList();

            // Saturated and disabled webhooks are left out of the query, so a backlog of theirs never hides the
            // due deliveries of the others.
            var saturated = _perWebhook.Where(p => p.Value >= _options.WebhookMaxParallelPerWebhook).Select(p => p.Key).ToList();
            var disabled = enabled.Values.Where(w => !w.Enabled).Select(w => w.Id).ToList();
            var due = await db.WebhookDeliveries
                .Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now && !busy.Contains(d.Id)
                    && !saturated.Contains(d.WebhookId) && (d.AlertId == null || !disabled.Contains(d.WebhookId)))
                .OrderBy(d => d.NextAttemptAt)
                .Take(BatchSize * 4)
                .ToListAsync(ct).ConfigureAwait(false);

            var started = 0;
            foreach (var d in due)
            {
                if (started >= BatchSize || !enabled.TryGetValue(d.WebhookId, out var w))
                {
                    continue;
                }

                // A disabled webhook keeps its pending deliveries (visible as Pending); a test event goes out anyway.
                if (!w.Enabled && d.AlertId is not null)
                {
                    continue;
                }

                if (!TryTakeSlot(d.WebhookId))
                {
                    continue;
                }

                d.State = WebhookDeliveryState.Delivering;
                d.Attempts++;
                d.LastAttemptAt = now;
                try
                {
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                }
                catch
                {
                    ReleaseSlot(d.WebhookId);
                    throw;
                }

                var target = new Target(w.Id, w.Name, w.Url, w.SecretVersion);
                var snapshot = new Attempt(d.Id, d.EventId, d.Payload, d.Attempts, d.AlertId);
                var task = Task.Run(() => AttemptAsync(target, snapshot), CancellationToken.None);
                _inFlight[d.Id] = task;
                _ = task.ContinueWith(
                    _ =>
                    {
                        _inFlight.TryRemove(d.Id, out Task? _);
                        ReleaseSlot(target.Id);
                        Wake();
                    },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                started++;
            }

            if (started > 0)
            {
                _changed();
                return now; // Look again at once: more may be due than one batch.
            }

            // Due rows that could not start wait for a slot (a finishing request wakes the loop) or the next poll.
            var nextDue = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAt > now)
                .OrderBy(d => d.NextAttemptAt)
                .Select(d => d.NextAttemptAt)
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            return nextDue;
        }
    }

    /// <summary>Writes again the results whose first write failed; a result that fails again stays for the next pass.</summary>
    private async Task RecordUnrecordedAsync()
    {
        foreach (var (id, result) in _unrecorded)
        {
            try
            {
                await RecordResultAsync(result).ConfigureAwait(false);
                _unrecorded.TryRemove(id, out _);
                _changed();
                _logger.LogInformation("Recorded the result of webhook delivery {Delivery} on a later try.", id);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not record the result of webhook delivery {Delivery} yet; trying again.", id);
            }
        }
    }

    /// <summary>
    /// Makes Pending again the Delivering rows that no request of this process holds and no waiting result will
    /// update, once their last attempt is older than the request timeout plus <see cref="StaleDeliveringMargin"/>.
    /// </summary>
    private async Task ReclaimStaleAsync(OpenKcmDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        // Read in-flight before waiting results: a request adds its result before it leaves the in-flight set.
        var held = _inFlight.Keys.Concat(_unrecorded.Keys).ToList();
        var cutoff = now - _options.WebhookRequestTimeout - StaleDeliveringMargin;
        var stale = await db.WebhookDeliveries
            .Where(d => d.State == WebhookDeliveryState.Delivering && !held.Contains(d.Id)
                && (d.LastAttemptAt == null || d.LastAttemptAt < cutoff))
            .ToListAsync(ct).ConfigureAwait(false);
        if (stale.Count == 0)
        {
            return;
        }

        foreach (var d in stale)
        {
            d.State = WebhookDeliveryState.Pending;
            d.NextAttemptAt = now;
            d.LastError = "The result of the last attempt was not recorded; sending again.";
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        _logger.LogWarning("Reclaimed {Count} webhook deliveries left Delivering with no request in flight.", stale.Count);
    }

    private bool TryTakeSlot(Guid webhookId)
    {
        while (true)
        {
            var current = _perWebhook.GetOrAdd(webhookId, 0);
            if (current >= _options.WebhookMaxParallelPerWebhook)
            {
                return false;
            }

            if (_perWebhook.TryUpdate(webhookId, current + 1, current))
            {
                return true;
            }
        }
    }

    private void ReleaseSlot(Guid webhookId) => _perWebhook.AddOrUpdate(webhookId, 0, (_, v) => Math.Max(0, v - 1));

    private async Task AttemptAsync(Target target, Attempt attempt)
    {
        var ct = _stopping.Token;
        int? status = null;
        string? error = null;
        try
        {
            var key = await SecretAsync(target, ct).ConfigureAwait(false);
            if (key is null)
            {
                error = "The webhook's signing secret is missing from the vault; rotate the secret.";
            }
            else
            {
                (status, error) = await SendAsync(target, attempt, key, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the row stays Delivering and is retried on the next start.
            return;
        }
        catch (Exception ex)
        {
            error = $"Could not send: {ex.GetType().Name}.";
            _logger.LogWarning(ex, "Webhook '{Webhook}' delivery {Delivery} failed before sending.", target.Name, attempt.DeliveryId);
        }

        var result = new Result(target, attempt, status, error, _time.GetUtcNow());
        try
        {
            await RecordResultAsync(result).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Kept in memory and written again by the loop; the row stays Delivering until then.
            _unrecorded[attempt.DeliveryId] = result;
            _logger.LogError(ex, "Could not record the result of webhook delivery {Delivery}; will try again.", attempt.DeliveryId);
            Wake();
        }

        _changed();
    }

    private async Task<(int? Status, string? Error)> SendAsync(Target target, Attempt attempt, byte[] key, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(attempt.Payload);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.EventIdHeader, attempt.EventId.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(key, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.WebhookRequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300
                ? (code, null)
                : (code, $"The endpoint answered {code} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {_options.WebhookRequestTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            // The message names host and cause (refused, DNS, TLS); it carries no header or body of ours. Should a
            // handler ever quote the URL, only its redacted form is kept (the path or query may hold a credential).
            var redacted = WebhookUrl.Redact(target.Url);
            var message = ex.Message.Replace(target.Url, redacted, StringComparison.Ordinal);
            if (request.RequestUri is { } uri)
            {
                message = message.Replace(uri.AbsoluteUri, redacted, StringComparison.Ordinal)
                    .Replace(uri.PathAndQuery, "/…", StringComparison.Ordinal);
            }

            return (null, $"Could not reach the endpoint: {ex.HttpRequestError} ({message}).");
        }
    }

    private async Task<byte[]?> SecretAsync(Target target, CancellationToken ct)
    {
        if (_secrets.TryGetValue(target.Id, out var cached) && cached.Version == target.SecretVersion)
        {
            return cached.Key;
        }

        using var secret = await _vault.ReadAsync(target.Id, WebhookService.SecretField, target.SecretVersion, "webhook signature", s_actor, ct)
            .ConfigureAwait(false);
        if (secret is null)
        {
            return null;
        }

        var key = secret.RevealBytes().ToArray();
        _secrets[target.Id] = (target.SecretVersion, key);
        return key;
    }

    private async Task RecordResultAsync(Result result)
    {
        var (target, attempt, status, error, now) = result;
        var failedForGood = false;
        var db = await _dbFactory.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var d = await db.WebhookDeliveries.FirstOrDefaultAsync(x => x.Id == attempt.DeliveryId).ConfigureAwait(false);
            if (d is null)
            {
                return; // The webhook was deleted meanwhile.
            }

            d.LastStatusCode = status;
            if (error is null)
            {
                d.State = WebhookDeliveryState.Delivered;
                d.DeliveredAt = now;
                d.NextAttemptAt = null;
                d.LastError = null;
            }
            else
            {
                d.LastError = error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
                if (attempt.Attempts >= _options.WebhookMaxAttempts)
                {
                    d.State = WebhookDeliveryState.Failed;
                    d.NextAttemptAt = null;
                    failedForGood = true;
                }
                else
                {
                    d.State = WebhookDeliveryState.Pending;
                    d.NextAttemptAt = now + RetryDelay(attempt.Attempts);
                }
            }

            if (failedForGood)
            {
                await _audit.CommitAsync(db, [new AuditRecord
                {
                    Action = AuditActions.WebhookDeliveryFailed,
                    Actor = s_actor,
                    Outcome = AuditOutcome.Failure,
                    Detail = $"webhook={target.Id} name={target.Name} event={attempt.EventId} alert={attempt.AlertId} attempts={attempt.Attempts} last_error={d.LastError}",
                }], CancellationToken.None).ConfigureAwait(false);
                _logger.LogWarning("Webhook '{Webhook}' gave up on event {Event} after {Attempts} attempts: {Error}",
                    target.Name, attempt.EventId, attempt.Attempts, d.LastError);
            }
            else
            {
                await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private sealed record Target(Guid Id, string Name, string Url, int SecretVersion);

    private sealed record Attempt(Guid DeliveryId, Guid EventId, string Payload, int Attempts, Guid? AlertId);

    /// <summary>The outcome of one attempt, as it is to be written; <c>At</c> is when the attempt ended.</summary>
    private sealed record Result(Target Target, Attempt Attempt, int? Status, string? Error, DateTimeOffset At);
}

using OpenKcm.Core.Plugins;
using Polly;
using Polly.Retry;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Runs one AWS call: a per-attempt timeout on the plugin's clock, errors mapped to <see cref="KeystoreException"/>,
/// and ThrottlingException retried with exponential backoff and jitter, bounded by
/// <see cref="AwsKmsOptions.ThrottlingRetries"/> and <see cref="AwsKmsOptions.ThrottlingMaxDelay"/>. Throttling that
/// persists through every retry is thrown as a <see cref="KeystoreErrorKind.Throttled"/> failure that says so.
/// Thread-safe; shared by the calls of one connection or Test Connection run.
/// </summary>
internal sealed class AwsCallRunner
{
    private readonly AwsKmsConfiguration _configuration;
    private readonly AwsKmsOptions _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;

    public AwsCallRunner(AwsKmsConfiguration configuration, AwsKmsOptions options, TimeProvider time)
    {
        _configuration = configuration;
        _options = options;
        _time = time;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.ThrottlingRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KeystoreException>(e => e.Kind == KeystoreErrorKind.Throttled),
                MaxRetryAttempts = options.ThrottlingRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ThrottlingBaseDelay,
                MaxDelay = options.ThrottlingMaxDelay,
            });
        }

        _retry = builder.Build();
    }

    /// <summary>Runs <paramref name="call"/> (one attempt per invocation) under the timeout and retry policy.</summary>
    /// <param name="operation">What is called, for messages.</param>
    /// <param name="call">The SDK call; receives a token that fires on the attempt's timeout or the caller's cancellation.</param>
    /// <param name="sensitive">Values to redact from AWS messages (read at failure time).</param>
    /// <param name="principal">The caller's ARN when known, for AssumeRole denials.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <exception cref="KeystoreException">Any AWS or transport failure.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> RunAsync<T>(
        AwsOperation operation, Func<CancellationToken, Task<T>> call, Func<IReadOnlyList<string>> sensitive,
        CancellationToken cancellationToken, string? principal = null)
    {
        var started = _time.GetTimestamp();
        var attempts = 0;
        try
        {
            return await _retry.ExecuteAsync(async ct =>
            {
                attempts++;
                return await AttemptAsync(operation, call, sensitive, principal, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (KeystoreException ex) when (ex.Kind == KeystoreErrorKind.Throttled && attempts > 1)
        {
            throw new KeystoreException(KeystoreErrorKind.Throttled,
                $"{ex.Message} It persisted through {attempts} attempts with backoff over "
                + $"{AwsErrors.Format(_time.GetElapsedTime(started))}.", ex)
            { VendorCode = ex.VendorCode, RetryAfter = _options.ThrottlingMaxDelay };
        }
    }

    private async Task<T> AttemptAsync<T>(
        AwsOperation operation, Func<CancellationToken, Task<T>> call, Func<IReadOnlyList<string>> sensitive, string? principal,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Our timeout, or the SDK's own (config.Timeout) reported as a cancellation.
            throw AwsErrors.TimedOut(operation, _configuration, _options.RequestTimeout, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not KeystoreException)
        {
            throw AwsErrors.FromException(operation, _configuration, ex, sensitive(), principal);
        }
    }
}

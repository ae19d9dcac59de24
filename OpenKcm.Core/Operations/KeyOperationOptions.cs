namespace OpenKcm.Core.Operations;

/// <summary>
/// Retry and connection settings of key-operation routing (configure with
/// <c>services.Configure&lt;KeyOperationOptions&gt;(...)</c>). Validated on start by
/// <see cref="Health.HealthServiceCollectionExtensions.AddKeystoreHealth"/>; read once at construction.
/// </summary>
public sealed class KeyOperationOptions
{
    /// <summary>Retries after the first attempt for retryable keystore errors (<see cref="Plugins.KeystoreException.IsRetryable"/>); 0 disables retries. Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First backoff delay; doubles per retry, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of a single backoff delay, also of a keystore's requested <see cref="Plugins.KeystoreException.RetryAfter"/>. Default 5 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt to open a keystore connection may take before it fails as timed out. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

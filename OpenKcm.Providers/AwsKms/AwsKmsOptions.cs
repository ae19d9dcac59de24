namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Tunables of the AWS KMS plugin (defaults suit production; tests pass short timeouts). Read once, when the plugin is
/// created.
/// </summary>
public sealed class AwsKmsOptions
{
    /// <summary>The configuration section the console may bind these options from.</summary>
    public const string Section = "OpenKcm:AwsKms";

    /// <summary>Upper bound for one AWS request (connect, send, read the answer), per attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for a whole Test Connection run; the running check fails with a timeout.</summary>
    public TimeSpan TestConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The lifetime asked for in AssumeRole (DurationSeconds, 15 min to the role's maximum; AWS default 1 h).</summary>
    public TimeSpan SessionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Retries after a ThrottlingException (exponential backoff with jitter); 0 disables them.</summary>
    public int ThrottlingRetries { get; set; } = 4;

    /// <summary>The first backoff delay after a ThrottlingException; doubled (with jitter) at each further retry.</summary>
    public TimeSpan ThrottlingBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest single backoff delay, which bounds the time a throttled call can take.</summary>
    public TimeSpan ThrottlingMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a pooled connection is reused before it is replaced (DNS changes are picked up).</summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The role name used in the generated guidance's CLI commands when the role ARN is not entered yet.</summary>
    public string PolicyName { get; set; } = "OpenKCM-KMS-Access";
}

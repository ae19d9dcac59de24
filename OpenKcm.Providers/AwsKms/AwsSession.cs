namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Session credentials from one AssumeRole, with when to refresh them. Immutable. <see cref="ToString"/> redacts: the
/// secret access key and session token never reach a log line or message.
/// </summary>
internal sealed class AwsSession
{
    /// <summary>Credentials this close to their expiry are not used any more (clock differences, request time).</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan s_refreshBeforeExpiry = TimeSpan.FromMinutes(5);

    public AwsSession(string accessKeyId, string secretAccessKey, string sessionToken, DateTimeOffset obtainedAt, DateTimeOffset expiration, string assumedRoleArn)
    {
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = sessionToken;
        ObtainedAt = obtainedAt;
        Expiration = expiration;
        AssumedRoleArn = assumedRoleArn;

        // Refresh at 80 % of the lifetime or 5 minutes before expiry, whichever comes first.
        var lifetime = expiration - obtainedAt;
        var byShare = TimeSpan.FromTicks(lifetime.Ticks / 5 * 4);
        var byMargin = lifetime - s_refreshBeforeExpiry;
        RefreshAt = obtainedAt + (byMargin > TimeSpan.Zero && byMargin < byShare ? byMargin : byShare);
    }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    public string SessionToken { get; }

    /// <summary>When the AssumeRole request was sent (by the plugin's clock).</summary>
    public DateTimeOffset ObtainedAt { get; }

    /// <summary>When AWS says the credentials stop working.</summary>
    public DateTimeOffset Expiration { get; }

    /// <summary>From this instant on, the next caller refreshes the session.</summary>
    public DateTimeOffset RefreshAt { get; }

    /// <summary><c>arn:aws:sts::&lt;account&gt;:assumed-role/&lt;role&gt;/&lt;session&gt;</c></summary>
    public string AssumedRoleArn { get; }

    public bool IsUsable(DateTimeOffset now) => now < Expiration - ExpiryMargin;

    public override string ToString() => $"AWS session {AssumedRoleArn} (key {AccessKeyId}, expires {Expiration:O})";
}

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Tunables of the OpenBao plugin. Registered once in DI (defaults suit production); tests pass short timeouts.
/// Immutable after registration.
/// </summary>
public sealed class OpenBaoOptions
{
    /// <summary>Upper bound for one HTTP request (connect, send, read the whole body).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for a whole Test Connection run; the running check fails with a timeout.</summary>
    public TimeSpan TestConnectionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a pooled TCP/TLS connection is reused before it is replaced, so DNS changes and a new active node
    /// behind a load balancer are picked up.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The AppRole role name used in the generated guidance commands (the seed's <c>openkcm-service</c>).
    /// </summary>
    public string RoleName { get; init; } = "openkcm-service";

    /// <summary>The policy name used in the generated guidance (the seed's <c>openkcm-policy</c>).</summary>
    public string PolicyName { get; init; } = "openkcm-policy";
}

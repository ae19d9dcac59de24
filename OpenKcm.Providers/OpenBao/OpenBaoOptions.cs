namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Tunables of the OpenBao plugin, bound by the console from <c>OpenKcm:OpenBao</c> (defaults suit production; tests
/// pass short timeouts). Read once, when the plugin is created: later changes are not seen.
/// </summary>
public sealed class OpenBaoOptions
{
    /// <summary>The configuration section the console binds these options from.</summary>
    public const string Section = "OpenKcm:OpenBao";

    /// <summary>The configuration key that adds directories to <see cref="SecretIdDirectories"/>.</summary>
    public const string SecretIdDirectoriesKey = $"{Section}:{nameof(SecretIdDirectories)}";

    /// <summary>Upper bound for one HTTP request (connect, send, read the whole body).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for a whole Test Connection run; the running check fails with a timeout.</summary>
    public TimeSpan TestConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a pooled TCP/TLS connection is reused before it is replaced, so DNS changes and a new active node
    /// behind a load balancer are picked up.
    /// </summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The AppRole role name used in the generated guidance commands (the seed's <c>openkcm-service</c>).
    /// </summary>
    public string RoleName { get; set; } = "openkcm-service";

    /// <summary>The policy name used in the generated guidance (the seed's <c>openkcm-policy</c>).</summary>
    public string PolicyName { get; set; } = "openkcm-policy";

    /// <summary>
    /// The absolute directories a keystore's <c>secret_id_path</c> may point into; default <c>/etc/openkcm</c>, the
    /// seed's location. Configuration adds to the default (binding appends to a list). Whoever may configure a
    /// keystore (a KeyAdministrator, not only an Administrator) can make the console send the content of such a file
    /// to a server of their choice, so list only directories that hold nothing but secret ID files. Files under
    /// <c>/proc</c>, <c>/sys</c> and <c>/dev</c> are refused whatever this says.
    /// </summary>
    public List<string> SecretIdDirectories { get; } = ["/etc/openkcm"];
}

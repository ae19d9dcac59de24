using System.Collections.Immutable;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// Timeouts, sizes and the library allowlist of the Thales Luna plugin, bindable from configuration section
/// <see cref="Section"/>. Defaults suit a Luna HA group in the same data centre. Read-only once the plugin is built.
/// </summary>
public sealed class ThalesLunaOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "OpenKcm:ThalesLuna";

    /// <summary>
    /// The PKCS#11 libraries a keystore may name when <see cref="AllowedLibraryPaths"/> is not configured: the Luna
    /// client's library and SoftHSM2's (Debian's path, its multiarch path, and the usual source-build and RPM paths).
    /// </summary>
    public static readonly ImmutableArray<string> DefaultAllowedLibraryPaths =
    [
        ThalesLunaFieldNames.DefaultLibraryPath,
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
        "/usr/lib64/pkcs11/libsofthsm2.so",
    ];

    /// <summary>TCP connect timeout per appliance in the network check and the activation description.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound of one Test Connection run.</summary>
    public TimeSpan TestConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The p95 latency budget of a wrap+unwrap round trip (REQ: 50 ms); above it the latency check warns.</summary>
    public TimeSpan LatencyBudget { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Round trips measured by the latency check.</summary>
    public int LatencyRoundTrips { get; set; } = 20;

    /// <summary>Most PKCS#11 sessions one connection keeps open (AWS's XKS proxy uses 30 with Luna).</summary>
    public int MaxSessions { get; set; } = 16;

    /// <summary>
    /// The only PKCS#11 library paths a keystore may name (exact, absolute, compared ordinally); null means
    /// <see cref="DefaultAllowedLibraryPaths"/>. Loading a library runs its code in the console process, so which files
    /// qualify is the operator's decision (configuration key <c>OpenKcm:ThalesLuna:AllowedLibraryPaths</c>), not a Key
    /// Administrator's. Checked when settings are validated and again before every load.
    /// </summary>
    public IReadOnlyList<string>? AllowedLibraryPaths { get; set; }

    /// <summary>The allowlist in force: <see cref="AllowedLibraryPaths"/> or the defaults.</summary>
    public IReadOnlyList<string> EffectiveAllowedLibraryPaths => AllowedLibraryPaths ?? DefaultAllowedLibraryPaths;

    /// <summary>Why <paramref name="path"/> may not be loaded, or null when it is on the allowlist.</summary>
    internal string? LibraryNotAllowed(string path) => EffectiveAllowedLibraryPaths.Contains(path, StringComparer.Ordinal)
        ? null
        : $"'{path}' is not one of the PKCS#11 libraries this console may load ({string.Join(", ", EffectiveAllowedLibraryPaths)}).";

    /// <summary>What to do about a library that is not allowed.</summary>
    internal const string LibraryNotAllowedRemedy = "Use one of the listed paths, or have the console's operator add the library "
        + "to the server configuration " + Section + ":AllowedLibraryPaths (a library runs its code in the console when it is loaded).";
}

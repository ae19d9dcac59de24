using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.ThalesLuna;

/// <summary>How <see cref="LunaSandbox.StartAsync"/> sets the Luna sandbox up.</summary>
public sealed class LunaSandboxOptions
{
    /// <summary>
    /// Where <c>softhsm/</c> (mode 0700: <c>softhsm2.conf</c> and the token directory <c>tokens/</c>) and the state file
    /// <see cref="LunaSandbox.StateFileName"/> (mode 0600, holds the PINs) are written; created (mode 0700) when missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// The appliances' shared port on 127.0.0.1 and 127.0.0.2 (a Luna appliance's NTLS port is 1792); <c>null</c> or 0
    /// picks one free on both. A taken port is not an error: another one is used, with a warning naming the holder.
    /// </summary>
    public int? NtlsPort { get; init; }

    /// <summary>
    /// Reuse the token, its PINs and its key across restarts (and try last start's port after <see cref="NtlsPort"/>).
    /// Off: every start wipes <c>softhsm/</c> and creates a fresh token with new PINs.
    /// </summary>
    public bool PersistState { get; init; }

    /// <summary>Logs of set-up and the appliances; none when <c>null</c>. No PIN is ever logged.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary><c>softhsm2-util</c> to run: an absolute path or a name looked up on <c>PATH</c>; <c>null</c>: <c>softhsm2-util</c>.</summary>
    public string? SoftHsmUtilPath { get; init; }

    /// <summary><c>pkcs11-tool</c> to run: an absolute path or a name looked up on <c>PATH</c>; <c>null</c>: <c>pkcs11-tool</c>.</summary>
    public string? Pkcs11ToolPath { get; init; }

    /// <summary>The SoftHSM2 module; <c>null</c>: Debian's <c>/usr/lib/softhsm/libsofthsm2.so</c> or the multiarch path.</summary>
    public string? ModulePath { get; init; }

    /// <summary>How long one tool run may take before it is killed and start-up reports the Luna part unavailable.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

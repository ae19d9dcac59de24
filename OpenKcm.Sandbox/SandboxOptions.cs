using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Sandbox;

/// <summary>How <see cref="SandboxHost.StartAsync"/> sets the sandbox up.</summary>
public sealed class SandboxOptions
{
    /// <summary>Where the secret ID file (<c>openbao-secret-id</c>, mode 0600) is written; created when missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The clock of token TTLs, secret ID expiry and key creation times (latency faults use real time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logs of the emulators and the control endpoint; none when <c>null</c>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    public OpenBaoProfile OpenBaoProfile { get; init; } = OpenBaoProfile.OpenBao;
}

using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Sandbox;

/// <summary>How <see cref="SandboxHost.StartAsync"/> sets the sandbox up.</summary>
public sealed class SandboxOptions
{
    /// <summary>The name of the OpenBao state file in <see cref="DataDirectory"/> when <see cref="PersistState"/> is set.</summary>
    public const string OpenBaoStateFileName = "openbao-state.json";

    /// <summary>The name of the AWS KMS + STS emulator's state file in <see cref="DataDirectory"/> when <see cref="PersistState"/> is set.</summary>
    public const string AwsKmsStateFileName = "aws-kms-state.json";

    /// <summary>
    /// Where the secret ID file (<c>openbao-secret-id</c>, mode 0600) and, with <see cref="PersistState"/>, the state
    /// file are written; created (mode 0700) when missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>The clock of token TTLs, secret ID expiry and key creation times (latency faults use real time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logs of the emulators and the control endpoint; none when <c>null</c>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    public OpenBaoProfile OpenBaoProfile { get; init; } = OpenBaoProfile.OpenBao;

    /// <summary>
    /// The OpenBao emulator's port on 127.0.0.1; <c>null</c> or 0 picks a free one. When the port is taken the
    /// emulator listens on a free port instead and logs a warning naming the port and, where it can tell, the process
    /// holding it: start-up never fails for that.
    /// </summary>
    public int? OpenBaoPort { get; init; }

    /// <summary>
    /// The port of the second OpenBao cluster (<see cref="OpenBaoEmulator.BackupName"/>) that replicates the first,
    /// for failover; <c>null</c> or 0 picks a free one. A taken port is handled as for <see cref="OpenBaoPort"/>.
    /// </summary>
    public int? OpenBaoBackupPort { get; init; }

    /// <summary>The control endpoint's port on 127.0.0.1; <c>null</c> or 0 picks a free one. A taken port is handled as
    /// for <see cref="OpenBaoPort"/>.</summary>
    public int? ControlPort { get; init; }

    /// <summary>The AWS KMS + STS emulator's port on 127.0.0.1; <c>null</c> or 0 picks a free one.</summary>
    public int? AwsKmsPort { get; init; }

    /// <summary>
    /// The port the Luna sandbox's two appliances (127.0.0.1 and 127.0.0.2) listen on, standing in for NTLS;
    /// <c>null</c> or 0 picks one free on both addresses.
    /// </summary>
    public int? LunaNtlsPort { get; init; }

    /// <summary>
    /// Start the Thales Luna sandbox (a SoftHSM2 token, see <see cref="ThalesLuna.LunaSandbox"/>). On by default; when
    /// SoftHSM2 or opensc is missing it is reported unavailable, never thrown.
    /// </summary>
    public bool EnableLuna { get; init; } = true;

    /// <summary>
    /// Keep the emulators' state across restarts in <see cref="DataDirectory"/>: for OpenBao, <see cref="OpenBaoStateFileName"/>
    /// (mode 0600, replaced atomically after every change) holds the seeded role ID, secret ID and root token, the
    /// transit keys with every version's key material, policies, AppRole roles and secret IDs, mounts and namespaces,
    /// and the port last listened on (tried after <see cref="OpenBaoPort"/>, so an unconfigured port stays stable).
    /// Tokens other than the root token do not survive: clients log in again. The AWS emulator keeps its account (keys
    /// with their material, users and access keys, roles and external IDs) in <see cref="AwsKmsStateFileName"/>, the Luna
    /// sandbox its token, PINs and port under <c>thales_luna/</c>. An unreadable or invalid file is moved
    /// aside (<c>.corrupt-&lt;timestamp&gt;</c>) with a warning and the emulator starts freshly seeded. Off by default:
    /// every start is fresh.
    /// </summary>
    public bool PersistState { get; init; }
}

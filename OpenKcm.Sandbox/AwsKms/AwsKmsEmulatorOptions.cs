using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.AwsKms;

/// <summary>How to start an <see cref="AwsKmsEmulator"/>.</summary>
public sealed class AwsKmsEmulatorOptions
{
    /// <summary>The manifest key and control path.</summary>
    public string Name { get; init; } = AwsKmsEmulator.DefaultName;

    /// <summary>The port on 127.0.0.1; 0 (default) or a taken port: any free port.</summary>
    public int Port { get; init; }

    /// <summary>The one region the emulator serves; KMS requests scoped to another region are rejected.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The one account; 12 digits.</summary>
    public string AccountId { get; init; } = "111122223333";

    /// <summary>
    /// The emulator's clock: SigV4 clock skew, session expiry, key creation and deletion dates, throttle refill.
    /// Real clients (the AWS CLI) sign with the machine's clock, so use the system clock with them.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The clock SigV4's 5-minute (KMS) / 15-minute (STS) skew window is checked against; <c>null</c> (default):
    /// <see cref="TimeProvider"/>. Set <see cref="System.TimeProvider.System"/> when the emulator runs on a manual clock
    /// (to expire sessions or keys) while a real SDK signs with the machine's clock.
    /// </summary>
    public TimeProvider? SignatureClock { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// A state file (written 0600, replaced atomically after every change) that keeps users with their key pairs,
    /// roles, keys with their material and aliases across restarts; <c>null</c> (default): fresh state every start.
    /// An unusable file is moved aside with a warning and the emulator is seeded fresh. STS sessions are not kept.
    /// </summary>
    public string? StatePath { get; init; }

    /// <summary>KMS requests per second per account above which KMS answers ThrottlingException; <c>null</c>: unlimited.</summary>
    public double? ThrottleRequestsPerSecond { get; init; }
}

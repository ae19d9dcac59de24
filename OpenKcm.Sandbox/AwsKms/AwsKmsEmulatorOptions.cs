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

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>KMS requests per second per account above which KMS answers ThrottlingException; <c>null</c>: unlimited.</summary>
    public double? ThrottleRequestsPerSecond { get; init; }
}

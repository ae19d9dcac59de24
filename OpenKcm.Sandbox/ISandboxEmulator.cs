using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox;

/// <summary>
/// An emulator as the sandbox host and the control endpoint see it: a name (the manifest key and the control path,
/// e.g. <c>openbao</c>, later <c>aws_kms</c> or <c>openbao_backup</c>), an address and its faults.
/// </summary>
public interface ISandboxEmulator
{
    string Name { get; }

    /// <summary>The emulator's own listener, e.g. <c>http://127.0.0.1:41234/</c>; the port survives down/up.</summary>
    Uri BaseAddress { get; }

    EmulatorFaults Faults { get; }
}

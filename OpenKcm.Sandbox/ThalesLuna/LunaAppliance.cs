using System.Net;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.ThalesLuna.Ntls;

namespace OpenKcm.Sandbox.ThalesLuna;

/// <summary>
/// One stand-in Luna appliance: a TCP listener on its own loopback address at the shared NTLS port, with its own
/// faults, so the control endpoint drives each appliance by name (<c>thales_luna_a</c>, <c>thales_luna_b</c>) like
/// any other emulator. It does not speak NTLS (see <see cref="LunaSandbox"/>): the token is reached through the
/// PKCS#11 module, the listener only answers the network check. Started and disposed by <see cref="LunaSandbox"/>;
/// thread-safe.
/// </summary>
public sealed class LunaAppliance : ISandboxEmulator
{
    private readonly NtlsListener _listener;

    internal LunaAppliance(string name, NtlsListener listener)
    {
        Name = name;
        _listener = listener;
        Faults = new EmulatorFaults(listener);
        listener.Faults = Faults;
        BaseAddress = new Uri($"tcp://{listener.Address}:{listener.Port}/");
    }

    /// <summary>The control endpoint's name, e.g. <c>thales_luna_a</c>.</summary>
    public string Name { get; }

    /// <summary><c>tcp://127.0.0.x:PORT/</c>; the port survives down/up.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The loopback address, e.g. <c>127.0.0.2</c>, as the manifest's <c>hsm_ip_addresses</c> names it.</summary>
    public IPAddress Address => _listener.Address;

    public int Port => _listener.Port;

    /// <summary>
    /// <c>latency_ms</c> delays the banner of every connection; <c>error_rate</c> resets that share of connections;
    /// <c>sealed</c> closes connections at once without a banner; <c>down</c> closes the listener (connection refused).
    /// </summary>
    public EmulatorFaults Faults { get; }

    /// <summary>Connections accepted since start (a client's TCP connect reached this appliance).</summary>
    public long AcceptedConnections => _listener.AcceptedConnections;

    internal NtlsListener Listener => _listener;
}

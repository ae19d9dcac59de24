using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.Hosting;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Http;
using OpenKcm.Sandbox.OpenBao.State;

namespace OpenKcm.Sandbox.OpenBao;

/// <summary>
/// An in-process OpenBao (Vault API) server on 127.0.0.1, seeded with the OpenKCM scenario: transit mount
/// <see cref="MountPath"/> with key <see cref="KeyName"/>, policy <see cref="PolicyName"/>, AppRole role
/// <see cref="RoleName"/> (token TTL 1h, max 4h). State is in memory and survives the "down" fault; with
/// <see cref="SandboxOptions.PersistState"/> it also survives a restart. Started and disposed by <see cref="SandboxHost"/>;
/// thread-safe.
/// </summary>
public sealed class OpenBaoEmulator : ISandboxEmulator, IAsyncDisposable
{
    public const string DefaultName = "openbao";
    public const string MountPath = "openkcm-keys";
    public const string KeyName = "customer-master-key";
    public const string PolicyName = "openkcm-policy";
    public const string RoleName = "openkcm-service";

    private readonly EmulatorListener _listener;
    private readonly OpenBaoHttpHandler _handler;

    private OpenBaoEmulator(string name, OpenBaoProfile profile, EmulatorListener listener, OpenBaoHttpHandler handler,
        EmulatorFaults faults, OpenBaoNodeState node, OpenBaoIdentity identity)
    {
        Name = name;
        Profile = profile;
        _listener = listener;
        _handler = handler;
        Faults = faults;
        Node = node;
        (RootToken, RoleId, SecretId) = identity;
        BaseAddress = new Uri($"http://127.0.0.1:{listener.Port}/");
    }

    public string Name { get; }

    public OpenBaoProfile Profile { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>; the manifest's <c>vault_address</c> is the same without the slash.</summary>
    public Uri BaseAddress { get; }

    public EmulatorFaults Faults { get; }

    /// <summary>Standby / DR / uninitialized states as reported by <c>sys/health</c>.</summary>
    public OpenBaoNodeState Node { get; }

    /// <summary>A root token (policy <c>root</c>, never expires): for test set-up, never for the code under test.</summary>
    public string RootToken { get; }

    /// <summary>The role ID of <see cref="RoleName"/>.</summary>
    public string RoleId { get; }

    /// <summary>A secret ID of <see cref="RoleName"/> (unlimited uses, no expiry).</summary>
    public string SecretId { get; }

    /// <summary>A client for set-up through the real admin API with the root token; the caller disposes it.</summary>
    /// <param name="namespace">An <c>X-Vault-Namespace</c> for every request, or <c>null</c> for the root namespace.</param>
    public OpenBaoAdminClient CreateAdminClient(string? @namespace = null) => new(BaseAddress, RootToken, @namespace);

    /// <summary>Requests being handled right now, including those held by injected latency.</summary>
    internal int InFlightRequests => _handler.InFlight;

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    /// <summary>
    /// Seeds a fresh emulator, or restores it from <paramref name="statePath"/> (when not <c>null</c>) and keeps that
    /// file up to date. Listens on <paramref name="port"/> (0: any), else on the state's last port, else any free port.
    /// </summary>
    internal static async Task<OpenBaoEmulator> StartAsync(string name, OpenBaoProfile profile, TimeProvider time, int port,
        string? statePath, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<OpenBaoEmulator>();
        var stateFile = statePath is null ? null : new StateFile<OpenBaoState>(statePath, name,
            "its credentials, keys, policies and roles",
            "fresh credentials and keys were seeded: sandbox keystores must be re-imported from the new manifest, and data "
            + "encrypted before cannot be decrypted", time, logger);
        var restored = stateFile?.Load(state => OpenBaoSnapshot.Restore(state, time, profile));
        var (core, identity, lastPort) = restored ?? Seed(time, profile);
        if (stateFile is not null && restored is null)
        {
            logger.LogInformation("Sandbox {Name} seeded fresh credentials and keys; they are kept in {Path}", name, stateFile.Path);
        }

        var node = new OpenBaoNodeState();
        OpenBaoHttpHandler? handler = null;
        var listener = new EmulatorListener(name, [port, lastPort], context => handler!.HandleAsync(context), loggerFactory);
        var faults = new EmulatorFaults(listener);
        handler = new OpenBaoHttpHandler(core, faults, node, logger);
        if (stateFile is not null)
        {
            // Set before the first request can arrive; the port is read at each save (0 until bound).
            core.AfterWrite = c => stateFile.Save(OpenBaoSnapshot.Capture(c, identity, listener.Port));
        }

        try
        {
            await listener.SetListeningAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (stateFile is not null)
        {
            core.RunLocked(c => stateFile.Save(OpenBaoSnapshot.Capture(c, identity, listener.Port)));
        }

        return new OpenBaoEmulator(name, profile, listener, handler, faults, node, identity);
    }

    private static OpenBaoStartup Seed(TimeProvider time, OpenBaoProfile profile)
    {
        var core = new VaultCore(time, profile);
        return new OpenBaoStartup(core, OpenBaoSeed.Apply(core), LastPort: 0);
    }
}

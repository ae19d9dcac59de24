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

    /// <summary>The name of the second cluster that replicates the first (<see cref="StartReplicaAsync"/>).</summary>
    public const string BackupName = "openbao_backup";
    public const string MountPath = "openkcm-keys";
    public const string KeyName = "customer-master-key";
    public const string PolicyName = "openkcm-policy";
    public const string RoleName = "openkcm-service";

    private readonly EmulatorListener _listener;
    private readonly OpenBaoHttpHandler _handler;

    private OpenBaoEmulator(string name, OpenBaoProfile profile, EmulatorListener listener, OpenBaoHttpHandler handler,
        EmulatorFaults faults, OpenBaoNodeState node, OpenBaoIdentity identity, VaultCore core)
    {
        Core = core;
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

    /// <summary>The server state this emulator serves (shared with its replica, see <see cref="VaultCore.CreateReplica"/>).</summary>
    internal VaultCore Core { get; }

    /// <summary>True for a replica started by <see cref="StartReplicaAsync"/>.</summary>
    public bool IsReplica => Core.Primary is not null;

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

        return new OpenBaoEmulator(name, profile, listener, handler, faults, node, identity, core);
    }

    /// <summary>
    /// Starts a second cluster replicating <paramref name="primary"/> (<see cref="VaultCore.CreateReplica"/>): same
    /// transit keys, policies, AppRole role ID and secret IDs; its own root token, cluster id, tokens, node state and
    /// <see cref="Faults"/>, on its own <paramref name="port"/> (0: any free one). Its state is persisted with the
    /// primary's (tokens are not). Disposing it stops only the replica.
    /// </summary>
    internal static async Task<OpenBaoEmulator> StartReplicaAsync(string name, OpenBaoEmulator primary, int port,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<OpenBaoEmulator>();
        var core = primary.Core.CreateReplica();
        string rootToken = "";
        core.RunLocked(c => rootToken = c.Tokens.CreateRoot(c.Root).Id);
        var node = new OpenBaoNodeState();
        OpenBaoHttpHandler? handler = null;
        var listener = new EmulatorListener(name, [port], context => handler!.HandleAsync(context), loggerFactory);
        var faults = new EmulatorFaults(listener);
        handler = new OpenBaoHttpHandler(core, faults, node, logger);
        try
        {
            await listener.SetListeningAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new OpenBaoEmulator(name, primary.Profile, listener, handler, faults, node,
            new OpenBaoIdentity(rootToken, primary.RoleId, primary.SecretId), core);
    }

    private static OpenBaoStartup Seed(TimeProvider time, OpenBaoProfile profile)
    {
        var core = new VaultCore(time, profile);
        return new OpenBaoStartup(core, OpenBaoSeed.Apply(core), LastPort: 0);
    }
}

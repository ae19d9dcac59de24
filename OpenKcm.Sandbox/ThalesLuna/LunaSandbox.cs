using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Sandbox.ThalesLuna.Ntls;
using OpenKcm.Sandbox.ThalesLuna.Pki;
using OpenKcm.Sandbox.ThalesLuna.Token;

namespace OpenKcm.Sandbox.ThalesLuna;

/// <summary>
/// The Thales Luna sandbox: a real PKCS#11 token (SoftHSM2) standing in for a Luna partition, holding the L1 key
/// (AES-256, private, sensitive, not extractable), plus two appliances (<see cref="Appliances"/>) listening on
/// 127.0.0.1 and 127.0.0.2 at one port in place of an HA pair's NTLS ports. The token is created and checked with
/// the real tools as child processes (<c>softhsm2-util</c>, <c>pkcs11-tool</c>); this process never loads the module,
/// because the console loads it (through the Luna plugin) and SoftHSM reads <c>SOFTHSM2_CONF</c> only once per
/// process. A process reaches the token by loading <see cref="ModulePath"/> with <c>SOFTHSM2_CONF</c> set to
/// <see cref="SoftHsmConfPath"/> in its environment before the module initialises. When the tools or the module are
/// missing, or set-up fails, <see cref="IsAvailable"/> is <c>false</c> and <see cref="UnavailableReason"/> says why:
/// start never throws for that, so the rest of the sandbox still runs. Thread-safe; dispose to stop the listeners
/// (the token stays on disk).
/// </summary>
public sealed class LunaSandbox : IAsyncDisposable
{
    public const string DefaultName = "thales_luna";
    public const string DefaultTokenLabel = "openkcm_partition";
    public const string DefaultKeyLabel = "openkcm-l1";

    /// <summary>The state file in <see cref="LunaSandboxOptions.DataDirectory"/> (mode 0600; holds both PINs).</summary>
    public const string StateFileName = "thales-luna-state.json";

    /// <summary>The directory in <see cref="LunaSandboxOptions.DataDirectory"/> with the SoftHSM2 configuration and tokens.</summary>
    public const string SoftHsmDirectoryName = "softhsm";

    /// <summary>
    /// Where <see cref="SoftHsmConfPath"/> will be for a sandbox started on <paramref name="dataDirectory"/>, known before
    /// it starts: a process that loads SoftHSM2 itself sets <c>SOFTHSM2_CONF</c> to it early, while it is still single-threaded.
    /// </summary>
    public static string SoftHsmConfPathFor(string dataDirectory) =>
        SoftHsmToken.ConfPathIn(Path.Combine(Path.GetFullPath(dataDirectory), SoftHsmDirectoryName));

    private static readonly string[] s_addresses = ["127.0.0.1", "127.0.0.2"];

    private readonly LunaState? _state;
    private readonly LunaClientPki? _pki;
    private int _disposed;

    private LunaSandbox(string? unavailableReason, string modulePath, string softHsmConfPath, LunaState? state,
        LunaClientPki? pki, IReadOnlyList<LunaAppliance> appliances, int ntlsPort)
    {
        _pki = pki;
        UnavailableReason = unavailableReason;
        ModulePath = modulePath;
        SoftHsmConfPath = softHsmConfPath;
        _state = state;
        Appliances = appliances;
        NtlsPort = ntlsPort;
    }

    /// <summary>Whether the token and the appliances are up; when not, only <see cref="UnavailableReason"/> is of use.</summary>
    public bool IsAvailable => UnavailableReason is null;

    /// <summary>Why the Luna sandbox is not available (e.g. <c>SoftHSM2 is not installed: … apt-get install softhsm2 opensc</c>).</summary>
    public string? UnavailableReason { get; }

    /// <summary>The SoftHSM2 PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>; empty when it was not found.</summary>
    public string ModulePath { get; }

    /// <summary>What <c>SOFTHSM2_CONF</c> must be for a process to see the token (absolute path).</summary>
    public string SoftHsmConfPath { get; }

    /// <summary>The token's label, the plugin's <c>partition_label</c>.</summary>
    public string TokenLabel => _state?.TokenLabel ?? DefaultTokenLabel;

    /// <summary>The crypto-officer PIN (CKU_USER) of the token: sandbox only, never logged; empty when unavailable.</summary>
    public string UserPin => _state?.UserPin ?? "";

    /// <summary>The L1 key's label (CKA_LABEL), the plugin's <c>key_label</c>.</summary>
    public string KeyLabel => _state?.KeyLabel ?? DefaultKeyLabel;

    /// <summary>
    /// <c>thales_luna_a</c> on 127.0.0.1 and <c>thales_luna_b</c> on 127.0.0.2, each an emulator of its own for the control
    /// endpoint (its <c>down</c> fault takes that appliance off the network); empty when unavailable.
    /// </summary>
    public IReadOnlyList<LunaAppliance> Appliances { get; }

    /// <summary>The appliances' addresses, the plugin's <c>hsm_ip_addresses</c>: <c>["127.0.0.1","127.0.0.2"]</c>.</summary>
    public IReadOnlyList<string> ApplianceAddresses => s_addresses;

    /// <summary>The port both appliances listen on (the plugin's <c>ntls_port</c>); 0 when unavailable.</summary>
    public int NtlsPort { get; }

    /// <summary>
    /// The sandbox CA's certificate (PEM), the plugin's <c>ca_certificate</c>: it issued <see cref="ClientCertificatePem"/>.
    /// Empty when unavailable. The appliances do not check certificates (they speak no TLS).
    /// </summary>
    public string CaCertificatePem => _pki?.CaCertificatePem ?? "";

    /// <summary>The NTLS client certificate (PEM, <c>CN=openkcm-console</c>), the plugin's <c>client_certificate</c>.</summary>
    public string ClientCertificatePem => _pki?.ClientCertificatePem ?? "";

    /// <summary>
    /// The client certificate's private key (unencrypted PKCS#8 PEM), the plugin's secret <c>client_private_key</c>:
    /// sandbox only, never logged; also in <c>thales-luna-pki/client-private-key.pem</c> (0600). Empty when unavailable.
    /// </summary>
    public string ClientPrivateKeyPem => _pki?.ClientPrivateKeyPem ?? "";

    /// <summary>
    /// Creates or reuses the token and key and starts both appliances. Never throws for missing tools, a failing tool or
    /// a key that fails the check: those make an unavailable sandbox (logged as a warning or error).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A port outside 0–65535.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<LunaSandbox> StartAsync(LunaSandboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NtlsPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.NtlsPort,
                $"{nameof(LunaSandboxOptions.NtlsPort)} must be between 0 (any free port) and 65535");
        }

        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LunaSandbox>();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var softHsmDirectory = Path.GetDirectoryName(SoftHsmConfPathFor(dataDirectory))!;
        var tools = SoftHsmTools.Locate(options, out var missing);
        if (tools is null)
        {
            logger.LogWarning("Sandbox {Name} is not available: {Reason}", DefaultName, missing);
            return Unavailable(missing!, "", SoftHsmToken.ConfPathIn(softHsmDirectory));
        }

        var token = new SoftHsmToken(tools, softHsmDirectory, options.ToolTimeout);
        try
        {
            PrivateFile.CreateDirectory(dataDirectory);
            var stateFile = new StateFile<LunaState>(Path.Combine(dataDirectory, StateFileName), DefaultName, "its token's labels and PINs",
                "a fresh token with new PINs is created, so sandbox Luna keystores must be re-imported from the new manifest",
                TimeProvider.System, logger);
            var previous = options.PersistState ? stateFile.Load(LunaState.Validated) : null;
            var state = await new LunaTokenSetup(token, logger).RunAsync(previous, cancellationToken).ConfigureAwait(false);
            var pki = await LunaClientPki.EnsureAsync(Path.Combine(dataDirectory, LunaClientPki.DirectoryName),
                reuse: options.PersistState, logger, cancellationToken).ConfigureAwait(false);
            var (port, sockets) = SharedPortBinder.Bind(s_addresses.Select(IPAddress.Parse).ToList(),
                [options.NtlsPort ?? 0, options.PersistState ? state.NtlsPort : 0], logger);
            var appliances = await StartAppliancesAsync(port, sockets, options.LoggerFactory ?? NullLoggerFactory.Instance,
                cancellationToken).ConfigureAwait(false);
            state = state with { NtlsPort = port };
            try
            {
                stateFile.Write(state);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                await DisposeAllAsync(appliances).ConfigureAwait(false);
                throw new ToolException($"Writing the state file {stateFile.Path} failed: {error.Message}", error);
            }

            logger.LogInformation("Sandbox {Name}: token {TokenLabel} (SOFTHSM2_CONF={ConfPath}, module {ModulePath}), key {KeyLabel}, "
                + "appliances {Addresses} on port {Port}", DefaultName, state.TokenLabel, token.ConfPath, tools.ModulePath,
                state.KeyLabel, string.Join(" and ", s_addresses), port);
            return new LunaSandbox(null, tools.ModulePath, token.ConfPath, state, pki, appliances, port);
        }
        catch (Exception error) when (error is ToolException or IOException or UnauthorizedAccessException or SocketException)
        {
            var reason = error is ToolException ? error.Message : $"Setting up the Luna sandbox failed: {error.Message}";
            logger.LogError("Sandbox {Name} is not available: {Reason}", DefaultName, reason);
            return Unavailable(reason, tools.ModulePath, token.ConfPath);
        }
    }

    /// <summary>
    /// The console wizard's import entry (no secret in it): <c>{"plugin_type":"thales_luna","plugin_name":"sandbox_thales_luna",
    /// "configuration":{"hsm_ip_addresses":[…],"partition_label","pkcs11_library_path","key_label","ntls_port",
    /// "client_certificate","ca_certificate"}}</c> (certificates as PEM text). The secrets — <c>partition_pin</c> and
    /// <c>client_private_key</c> — are typed in the wizard; they are in <see cref="ToolAccess"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sandbox is not available (see <see cref="UnavailableReason"/>).</exception>
    public JsonObject ManifestEntry()
    {
        ThrowIfUnavailable();
        return new JsonObject
        {
            ["plugin_type"] = "thales_luna",
            ["plugin_name"] = "sandbox_" + DefaultName,
            ["configuration"] = new JsonObject
            {
                ["hsm_ip_addresses"] = new JsonArray([.. ApplianceAddresses.Select(a => (JsonNode?)a)]),
                ["partition_label"] = TokenLabel,
                ["pkcs11_library_path"] = ModulePath,
                ["key_label"] = KeyLabel,
                ["ntls_port"] = NtlsPort,
                ["client_certificate"] = ClientCertificatePem,
                ["ca_certificate"] = CaCertificatePem,
            },
        };
    }

    /// <summary>
    /// For the manifest's <c>sandbox_admin</c>: everything a standard PKCS#11 tool needs to reach the token —
    /// <c>{"module_path","softhsm2_conf","token_label","pin","key_label","pkcs11_tool","client_private_key"}</c>:
    /// <c>pkcs11_tool</c> is a ready command line listing the key; <c>client_private_key</c> the PEM for the wizard's
    /// secret field. Holds secrets: keep it out of logs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sandbox is not available.</exception>
    public JsonObject ToolAccess()
    {
        ThrowIfUnavailable();
        return new JsonObject
        {
            ["module_path"] = ModulePath,
            ["softhsm2_conf"] = SoftHsmConfPath,
            ["token_label"] = TokenLabel,
            ["pin"] = UserPin,
            ["key_label"] = KeyLabel,
            ["pkcs11_tool"] = $"SOFTHSM2_CONF='{SoftHsmConfPath}' pkcs11-tool --module '{ModulePath}' --token-label '{TokenLabel}' "
                + $"--login --pin '{UserPin}' --list-objects --type secrkey --label '{KeyLabel}'",
            ["client_private_key"] = ClientPrivateKeyPem,
        };
    }

    /// <summary>Stops both appliances (idempotent). The token, its key and the state file stay on disk.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? DisposeAllAsync(Appliances) : ValueTask.CompletedTask;

    private static async ValueTask DisposeAllAsync(IEnumerable<LunaAppliance> appliances)
    {
        foreach (var appliance in appliances)
        {
            await appliance.Listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<LunaAppliance>> StartAppliancesAsync(int port, IReadOnlyList<Socket> sockets,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var appliances = new List<LunaAppliance>();
        try
        {
            for (var i = 0; i < sockets.Count; i++)
            {
                var name = $"{DefaultName}_{(char)('a' + i)}";
                var listener = new NtlsListener(name, IPAddress.Parse(s_addresses[i]), port, loggerFactory.CreateLogger<NtlsListener>());
                var appliance = new LunaAppliance(name, listener);
                appliances.Add(appliance);
                await listener.StartAsync(sockets[i], cancellationToken).ConfigureAwait(false);
            }

            return appliances;
        }
        catch
        {
            foreach (var socket in sockets.Skip(appliances.Count(a => a.Listener.IsListening)))
            {
                socket.Dispose();
            }

            await DisposeAllAsync(appliances).ConfigureAwait(false);
            throw;
        }
    }

    private static LunaSandbox Unavailable(string reason, string modulePath, string confPath) =>
        new(reason, modulePath, confPath, state: null, pki: null, [], ntlsPort: 0);

    private void ThrowIfUnavailable()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"The Thales Luna sandbox is not available: {UnavailableReason}");
        }
    }
}

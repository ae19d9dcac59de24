using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.Pkcs11;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// The Thales Luna Network HSM plugin, kind <c>thales_luna</c>: the L1 key is a non-extractable AES-256 key in a Luna
/// partition, reached through the Luna client's PKCS#11 library (NTLS to an HA group of appliances); OpenKCM wraps and
/// unwraps L2 material with AES-256-GCM inside the HSM. Tested against SoftHSM2, which speaks the same PKCS#11.
/// </summary>
/// <remarks>
/// Singleton, thread-safe, stateless: modules are shared per path by <see cref="Pkcs11Module"/>, sessions live in each
/// connection's <see cref="Pkcs11SessionPool"/>. Time (check durations, certificate validity) comes from the injected
/// <see cref="TimeProvider"/>.
/// </remarks>
public sealed class ThalesLunaPlugin : IKeystorePlugin
{
    public const string PluginKind = "thales_luna";

    internal static readonly ImmutableArray<CheckDefinition> Checks =
    [
        new(ThalesLunaCheckIds.ClientCertificates, "Client certificate",
            "The NTLS client certificate is valid, the stored private key belongs to it, and the CA issued it."),
        new(ThalesLunaCheckIds.NetworkConnectivity, "Network connectivity",
            "Connects to every appliance's NTLS port: the first reachable is online, others standby, the rest offline."),
        new(ThalesLunaCheckIds.Pkcs11Interface, "PKCS#11 interface",
            "Loads the Luna client library, finds the partition by its label, and checks that it offers AES-256-GCM."),
        new(ThalesLunaCheckIds.Login, "Partition login",
            "Logs in as the partition's Crypto Officer, once: a wrong PIN is never retried."),
        new(ThalesLunaCheckIds.KeyAccess, "L1 key access",
            "Exactly one AES-256 secret key has the label; it can encrypt and decrypt, is sensitive and cannot leave the HSM."),
        new(ThalesLunaCheckIds.EncryptDecrypt, "Encrypt / decrypt round trip",
            "AES-256-GCM with an IV from the HSM and associated data, as wrapping an L2 key does; changed associated data must fail."),
        new(ThalesLunaCheckIds.Latency, "Latency",
            "The p95 of 20 wrap+unwrap round trips against the 50 ms budget."),
    ];

    private static readonly PluginDescriptor s_descriptor = new()
    {
        Kind = PluginKind,
        DisplayName = "Thales Luna Network HSM",
        Description = "On-premises Thales Luna HSMs over PKCS#11 (Luna client, NTLS, HA group). The L1 key is a non-extractable "
            + "AES-256 key in your partition; OpenKCM asks the HSM to wrap and unwrap L2 key material with it.",
        Fields =
        [
            new ConfigField
            {
                Name = F.HsmIpAddresses, Label = "HSM appliance addresses", Type = FieldType.StringList, Required = true,
                Placeholder = "192.168.1.100\n192.168.1.101",
                Help = "The Luna appliances of the HA group, one per line (IPv4, IPv6 or host name, without port). The first "
                    + "reachable one is reported online, the others standby.",
            },
            new ConfigField
            {
                Name = F.NtlsPort, Label = "NTLS port", Type = FieldType.Integer, DefaultValue = "1792",
                Help = "The appliances' Network Trust Link Service port (1792 unless changed with lunash: ntls).",
            },
            new ConfigField
            {
                Name = F.PartitionLabel, Label = "Partition label", Type = FieldType.Text, Required = true,
                Placeholder = "openkcm_partition",
                Help = "The label of the partition that holds the L1 key (lunacm: slot list). The partition is found by this "
                    + "label, because slot numbers change.",
            },
            new ConfigField
            {
                Name = F.SlotId, Label = "Slot id", Type = FieldType.Integer,
                Help = "Only as a cross-check: if the partition is found in another slot, Test Connection says so (a warning).",
            },
            new ConfigField
            {
                Name = F.Pkcs11LibraryPath, Label = "PKCS#11 library", Type = FieldType.Text, Required = true,
                DefaultValue = F.DefaultLibraryPath,
                Help = "The Luna client's PKCS#11 library on the console host.",
            },
            new ConfigField
            {
                Name = F.PartitionPin, Label = "Crypto Officer PIN", Type = FieldType.Secret, Required = true,
                Help = "The partition's Crypto Officer PIN (challenge). Stored encrypted, never shown again. A wrong PIN is never "
                    + "retried automatically: the partition locks after a few failures.",
            },
            new ConfigField
            {
                Name = F.KeyLabel, Label = "L1 key label", Type = FieldType.Text, Required = true, Placeholder = "openkcm-l1",
                Help = "CKA_LABEL of the L1 key: an AES-256 secret key, sensitive and not extractable, allowed to encrypt and decrypt.",
            },
            new ConfigField
            {
                Name = F.ClientCertificate, Label = "Client certificate", Type = FieldType.Pem,
                Placeholder = "-----BEGIN CERTIFICATE-----",
                Help = "The NTLS client certificate this console is registered with (vtl createCert writes it). Checked for "
                    + "validity, against its private key and against the CA.",
            },
            new ConfigField
            {
                Name = F.ClientPrivateKey, Label = "Client private key", Type = FieldType.SecretPem,
                Placeholder = "-----BEGIN PRIVATE KEY-----",
                Help = "The client certificate's private key (unencrypted PEM). Stored encrypted in the console's vault.",
            },
            new ConfigField
            {
                Name = F.CaCertificate, Label = "CA certificate", Type = FieldType.Pem,
                Placeholder = "-----BEGIN CERTIFICATE-----",
                Help = "The CA that issued the client (and appliance) certificates.",
            },
        ],
        Checks = Checks,

        // The seed's budget is 50 ms per operation and its dashboard shows Luna at 45-48 ms: warn at 45 ms average so
        // operators see the budget being approached before it is broken.
        DefaultThresholds = new HealthThresholds
        {
            WarningLatency = TimeSpan.FromMilliseconds(45),
            CriticalAfterConsecutiveFailures = 3,
            ProbeTimeout = TimeSpan.FromSeconds(5),
        },
    };

    private readonly TimeProvider _time;
    private readonly ThalesLunaOptions _options;
    private readonly ILogger _logger;

    public ThalesLunaPlugin(TimeProvider timeProvider, ThalesLunaOptions? options = null, ILogger<ThalesLunaPlugin>? logger = null)
    {
        _time = timeProvider;
        _options = options ?? new ThalesLunaOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public PluginDescriptor Descriptor => s_descriptor;

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet) =>
        ThalesLunaSettingsValidator.Validate(settings, secretsSet.Contains(F.PartitionPin), _time.GetUtcNow(), _options);

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) =>
        ThalesLunaGuidance.From(settings, _time.GetUtcNow()).Build();

    public IAsyncEnumerable<CheckResult> TestConnectionAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        new ThalesLunaConnectionTest(settings, secrets, _time, _options, _logger).RunAsync(cancellationToken);

    /// <summary>
    /// The client certificate and each CA certificate in the settings (the appliances' server certificates are not
    /// configured here: the Luna client trusts them through the CA). Unreadable PEM is skipped (the validator reports it).
    /// </summary>
    public IReadOnlyList<ExpiryItem> DescribeExpiries(KeystoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            .. PemCertificateExpiries.From(settings.Get(F.ClientCertificate), "client certificate"),
            .. PemCertificateExpiries.From(settings.Get(F.CaCertificate), "CA certificate"),
        ];
    }

    /// <summary>
    /// Checks the library against <see cref="ThalesLunaOptions.AllowedLibraryPaths"/>, loads the module, logs in through a new session pool and finds the L1 key, so a returned connection is known to
    /// work. Throws <see cref="KeystoreException"/>: InvalidConfiguration (settings, library path, no PIN),
    /// AuthenticationFailed (PIN), KeyNotFound, Unavailable (partition or appliances).
    /// </summary>
    public async Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        var configuration = ThalesLunaConfiguration.Parse(settings, _time.GetUtcNow());
        if (_options.LibraryNotAllowed(configuration.LibraryPath) is { } notAllowed)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration, notAllowed) { VendorCode = "LibraryNotAllowed" };
        }

        Pkcs11Module module;
        try
        {
            module = Pkcs11Module.Load(configuration.LibraryPath);
        }
        catch (Pkcs11ModuleException ex)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration, ex.Message, ex) { VendorCode = ex.Failure.ToString() };
        }

        Pkcs11SessionPool pool;
        try
        {
            using var pin = await secrets.GetAsync(F.PartitionPin, cancellationToken).ConfigureAwait(false);
            if (pin is null || pin.Length == 0)
            {
                throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration, "No partition PIN is stored for this keystore.");
            }

            pool = new Pkcs11SessionPool(module, configuration.PartitionLabel, pin.RevealBytes(), _options.MaxSessions);
        }
        catch
        {
            module.Dispose();
            throw;
        }

        var connection = new ThalesLunaConnection(module, pool, configuration, _options, _time);
        try
        {
            await connection.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

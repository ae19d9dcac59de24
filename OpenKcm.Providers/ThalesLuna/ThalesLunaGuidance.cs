using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// The keystore-side setup generated from the entered values: the partition and its Crypto Officer, the NTLS client
/// registration, the non-extractable AES-256 L1 key, and the network policy.
/// </summary>
/// <remarks>
/// Commands run in a POSIX shell quote every value with <see cref="ShellWords.Quote"/>. Commands typed at the Luna
/// prompts (lunash on the appliance, lunacm on the client) take double-quoted words; validation refuses double quotes and
/// control characters in the values that reach them, and anything else that is not a plain word is double-quoted. YAML
/// values are double-quoted with escapes. Invalid or missing values appear as placeholders, quoted the same way.
/// </remarks>
internal sealed partial class ThalesLunaGuidance
{
    private readonly ImmutableArray<string> _appliances;
    private readonly int _port;
    private readonly string _partition;
    private readonly string _keyLabel;
    private readonly string _library;
    private readonly string _client;

    private ThalesLunaGuidance(ImmutableArray<string> appliances, int port, string partition, string keyLabel, string library, string client)
    {
        _appliances = appliances;
        _port = port;
        _partition = partition;
        _keyLabel = keyLabel;
        _library = library;
        _client = client;
    }

    public static ThalesLunaGuidance From(KeystoreSettings settings, DateTimeOffset now)
    {
        var invalid = ThalesLunaSettingsValidator.Validate(settings, null, now).Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        string? Valid(string field) => invalid.Contains(field) ? null : settings.Get(field);
        var appliances = settings.GetList(F.HsmIpAddresses).Where(a => ThalesLunaSettingsValidator.AddressError(a) is null).ToImmutableArray();

        // The NTLS client name: from the keystore's name when saved, so one appliance can tell several consoles apart.
        var client = settings.Context is { } context
            ? "openkcm-" + ClientNameRegex().Replace(context.KeystoreName.ToLowerInvariant(), "-").Trim('-')
            : "openkcm-console";
        return new ThalesLunaGuidance(
            appliances.IsEmpty ? ["<hsm_ip_address>"] : appliances,
            invalid.Contains(F.NtlsPort) ? F.DefaultNtlsPort : settings.GetInt(F.NtlsPort) ?? F.DefaultNtlsPort,
            Valid(F.PartitionLabel) ?? "<partition_label>",
            Valid(F.KeyLabel) ?? "<key_label>",
            Valid(F.Pkcs11LibraryPath) ?? F.DefaultLibraryPath,
            client.Length > "openkcm-".Length ? client[..Math.Min(client.Length, 48)] : "openkcm-console");
    }

    public PermissionGuidance Build() => new()
    {
        Summary = $"Create partition '{_partition}' with a Crypto Officer, register this console as an NTLS client of "
            + $"{string.Join(", ", _appliances)} and assign it the partition, create the L1 key '{_keyLabel}' inside the HSM as a "
            + "sensitive, non-extractable AES-256 key, and allow only this console to reach the NTLS port.",
        Blocks =
        [
            new GuidanceBlock("1. Partition and Crypto Officer (lunash on the appliance, then lunacm)", "text", PartitionCommands(),
                "The partition holds the L1 key. OpenKCM logs in as its Crypto Officer: that PIN goes in the partition PIN field "
                + "(stored encrypted). The partition is found by its label, so slot numbers may change."),
            new GuidanceBlock("2. Register this console as an NTLS client", "text", ClientRegistration(),
                "The appliance only talks to registered clients with a certificate it knows (mutual TLS on the NTLS port). The "
                + "client certificate and the CA go in this keystore's certificate fields, so Test Connection can check them."),
            new GuidanceBlock("3. Exchange certificates (console host)", "bash", CertificateExchange(),
                "Run on the console host, where the Luna client is installed: it trusts the appliances' server certificates and "
                + "hands them the client certificate."),
            new GuidanceBlock("4. The L1 key: AES-256, sensitive, never extractable", "bash", KeyCreation(),
                "The L1 key is generated inside the HSM and can never leave it (CKA_EXTRACTABLE false, CKA_SENSITIVE true). "
                + "Test Connection fails if the key could be extracted. Run on the console host."),
            new GuidanceBlock("5. Network policy", "yaml", NetworkPolicy(),
                "Only the OpenKCM crypto service reaches the NTLS port of each appliance; everything else is denied."),
        ],
    };

    /// <summary>A word at the Luna prompts: plain, or double-quoted (values never contain quotes or controls).</summary>
    internal static string LunaWord(string value) =>
        PlainWordRegex().IsMatch(value) ? value : "\"" + value.Replace("\"", "", StringComparison.Ordinal) + "\"";

    internal static string YamlString(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private string PartitionCommands()
    {
        var p = LunaWord(_partition);
        return $"""
            # lunash (ssh admin@{_appliances[0]}), as the HSM administrator:
            partition create -partition {p}

            # lunacm on a client the partition is assigned to, as the partition SO:
            partition init -label {p} -domain <cloning_domain>
            role login -name po
            role init -name co
            clientIdentificationPolicy create -partition {p} -policy openkcm_policy
            """;
    }

    private string ClientRegistration()
    {
        var c = LunaWord(_client);
        var p = LunaWord(_partition);
        var sb = new StringBuilder();
        foreach (var appliance in _appliances)
        {
            sb.Append("# lunash on ").Append(ShellWords.CommentText(appliance)).Append(" (ssh admin@").Append(ShellWords.CommentText(appliance)).Append("):\n");
            sb.Append("client register -client ").Append(c).Append(" -hostname ").Append(c).Append('\n');
            sb.Append("client assignPartition -client ").Append(c).Append(" -partition ").Append(p).Append('\n');
            sb.Append("ntls show\n\n");
        }

        return sb.ToString().TrimEnd() + "\n";
    }

    private string CertificateExchange()
    {
        var sb = new StringBuilder();
        sb.Append("# Create the client certificate once (skip if the console host already has one):\n");
        sb.Append("sudo /usr/safenet/lunaclient/bin/vtl createCert -n ").Append(ShellWords.Quote(_client)).Append('\n');
        foreach (var appliance in _appliances)
        {
            var a = ShellWords.Quote(appliance);
            var target = ShellWords.Quote("admin@" + appliance);
            sb.Append("scp ").Append(ShellWords.Quote($"admin@{appliance}:server.pem")).Append(' ')
                .Append(ShellWords.Quote($"server-{appliance}.pem")).Append('\n');
            sb.Append("sudo /usr/safenet/lunaclient/bin/vtl addServer -n ").Append(a).Append(" -c ")
                .Append(ShellWords.Quote($"server-{appliance}.pem")).Append('\n');
            sb.Append("scp ").Append(ShellWords.Quote($"/usr/safenet/lunaclient/cert/client/{_client}.pem")).Append(' ')
                .Append(ShellWords.Quote(target + ":")).Append('\n');
        }

        sb.Append("/usr/safenet/lunaclient/bin/vtl verify\n");
        return sb.ToString();
    }

    private string KeyCreation()
    {
        var module = ShellWords.Quote(_library);
        var label = ShellWords.Quote(_keyLabel);
        return $"""
            # With Luna's cmu (asks for the Crypto Officer PIN):
            /usr/safenet/lunaclient/bin/cmu generatekey -keyType=AES -keySize=32 -label={label} \
              -token=1 -private=1 -sensitive=1 -extractable=0 -modifiable=0 -encrypt=1 -decrypt=1 -wrap=0 -unwrap=0

            # Check it with any PKCS#11 tool: one secret key, never extractable.
            pkcs11-tool --module {module} --token-label {ShellWords.Quote(_partition)} --login \
              --list-objects --type secrkey --label {label}
            """ + "\n";
    }

    private string NetworkPolicy()
    {
        var sb = new StringBuilder();
        sb.Append("hsm_network:\n  encryption: \"TLS 1.3\"\n  authentication: \"mutual_tls\"\n  network_policies:\n");
        foreach (var appliance in _appliances)
        {
            var host = appliance.Contains(':', StringComparison.Ordinal) ? $"[{appliance}]" : appliance;
            sb.Append("    - source: \"openkcm-crypto-service\"\n      destination: ").Append(YamlString($"{host}:{_port}"))
                .Append("\n      protocol: \"PKCS#11\"\n");
        }

        sb.Append("  firewall_rules:\n    - allow: \"openkcm_service_ips\"\n    - deny: \"all_other_traffic\"\n");
        return sb.ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:@/-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainWordRegex();

    [GeneratedRegex(@"[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex ClientNameRegex();
}

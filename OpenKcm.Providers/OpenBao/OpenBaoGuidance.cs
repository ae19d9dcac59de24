using System.Text;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Generates the keystore-side setup from the entered values: the least-privilege HCL policy and the <c>bao</c> CLI
/// commands. The same helpers produce the remedies of failed checks, so a remedy never disagrees with the guidance.
/// </summary>
/// <remarks>
/// The policy grants exactly the paths the plugin calls with a token (sys/health and auth/approle/login need none).
/// The seed's sample used <c>openkcm-keys/data/...</c>, which is a KV v2 path; a transit key is read at
/// <c>&lt;mount&gt;/keys/&lt;key&gt;</c>. No <c>create</c> capability on encrypt, so a typo can never upsert a new key.
/// Every value in a command goes through <see cref="ShellWords.Quote"/>: the commands sit behind a Copy button and are
/// run as they are, so no value (or placeholder) may expand, split or start another command.
/// </remarks>
internal sealed class OpenBaoGuidance(string mount, string key, string? ns, string? secretIdPath, OpenBaoOptions options)
{
    public string Mount => mount;

    public string Key => key;

    public string KeyPath => $"{mount}/keys/{key}";

    public string EncryptPath => $"{mount}/encrypt/{key}";

    public string DecryptPath => $"{mount}/decrypt/{key}";

    public const string LookupSelfPath = "auth/token/lookup-self";

    public const string RenewSelfPath = "auth/token/renew-self";

    public static OpenBaoGuidance From(KeystoreSettings settings, OpenBaoOptions options, SecretIdLocations secretIdLocations)
    {
        // Before the form is complete, placeholders stand in for what is missing or invalid.
        var invalid = OpenBaoSettingsValidator.Validate(settings, null, secretIdLocations).Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        string? Valid(string field) =>
            !invalid.Contains(field) && settings.Get(field) is { } v && OpenBaoSettingsValidator.NormalizePath(v) is { Length: > 0 } n
                ? n
                : null;

        return new OpenBaoGuidance(
            Valid(OpenBaoFieldNames.MountPath) ?? "<mount_path>",
            Valid(OpenBaoFieldNames.KeyName) ?? "<key_name>",
            Valid(OpenBaoFieldNames.Namespace),
            Valid(OpenBaoFieldNames.SecretIdPath) is null ? null : settings.Get(OpenBaoFieldNames.SecretIdPath),
            options);
    }

    public static OpenBaoGuidance From(OpenBaoConfiguration configuration, OpenBaoOptions options) =>
        new(configuration.MountPath, configuration.KeyName, configuration.Namespace, configuration.SecretIdPath, options);

    /// <summary>One policy stanza, for a remedy that names the missing line.</summary>
    public static string PolicyLine(string path, string capability) =>
        $"path \"{path}\" {{\n  capabilities = [\"{capability}\"]\n}}";

    public string Policy()
    {
        var sb = new StringBuilder();
        sb.Append("# OpenKCM: least privilege for the transit key \"").Append(ShellWords.CommentText(key)).Append("\" at \"")
            .Append(ShellWords.CommentText(mount)).Append("/\"");
        if (ns is not null)
        {
            sb.Append(" in namespace \"").Append(ShellWords.CommentText(ns)).Append("/\"");
        }

        sb.Append(".\n# Save as ").Append(ShellWords.CommentText(options.PolicyName)).Append(".hcl.\n\n");
        sb.Append("# Read the key's type and versions (Test Connection, activation).\n")
            .Append(PolicyLine(KeyPath, "read")).Append("\n\n")
            .Append("# Wrap L2 key material under the L1 key.\n")
            .Append(PolicyLine(EncryptPath, "update")).Append("\n\n")
            .Append("# Unwrap L2 key material.\n")
            .Append(PolicyLine(DecryptPath, "update")).Append("\n\n")
            .Append("# Read the token's own TTL and policies.\n")
            .Append(PolicyLine(LookupSelfPath, "read")).Append("\n\n")
            .Append("# Renew the token before it expires.\n")
            .Append(PolicyLine(RenewSelfPath, "update")).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// A <c>bao</c> command with the namespace flag when a namespace is set. <paramref name="subcommand"/> is a fixed
    /// word list such as <c>secrets enable</c>; each of <paramref name="arguments"/> becomes one quoted word.
    /// </summary>
    public string Bao(string subcommand, params ReadOnlySpan<string> arguments)
    {
        var sb = new StringBuilder("bao ").Append(subcommand);
        if (ns is not null)
        {
            sb.Append(' ').Append(ShellWords.Quote($"-namespace={ns}"));
        }

        foreach (var argument in arguments)
        {
            sb.Append(' ').Append(ShellWords.Quote(argument));
        }

        return sb.ToString();
    }

    public string EnableTransitCommand() => Bao("secrets enable", $"-path={mount}", "transit");

    public string CreateKeyCommand() => Bao("write", KeyPath, "type=aes256-gcm96");

    public string ReadRoleIdCommand() => Bao("read", "-field=role_id", $"auth/approle/role/{options.RoleName}/role-id");

    public string NewSecretIdCommand() => Bao("write", "-f", "-field=secret_id", $"auth/approle/role/{options.RoleName}/secret-id");

    /// <summary>Writes a new secret ID to <paramref name="path"/>, readable only by the user who runs it.</summary>
    public string WriteSecretIdFileCommand(string path) => $"(umask 077; {NewSecretIdCommand()} > {ShellWords.Quote(path)})";

    public string WritePolicyCommand() => Bao("policy write", options.PolicyName, $"{options.PolicyName}.hcl");

    /// <summary><c>bao write auth/approle/role/&lt;role&gt;</c> with <paramref name="settings"/> (<c>name=value</c> each).</summary>
    public string WriteRoleCommand(params ReadOnlySpan<string> settings) =>
        Bao("write", [$"auth/approle/role/{options.RoleName}", .. settings]);

    public string RoleName => options.RoleName;

    public string PolicyName => options.PolicyName;

    public string TransitCommands()
    {
        var sb = new StringBuilder();
        sb.Append("# Run as an OpenBao administrator (BAO_ADDR and BAO_TOKEN set). With HashiCorp Vault, type vault for bao.\n");
        sb.Append("# 1. Enable the transit secrets engine at ").Append(ShellWords.CommentText(mount)).Append("/ unless it is enabled already.\n");
        sb.Append(Bao("secrets list", "-format=json")).Append(" | grep -qF ").Append(ShellWords.Quote($"\"{mount}/\""))
            .Append(" \\\n  || ").Append(EnableTransitCommand()).Append('\n');
        sb.Append("# 2. Create the L1 key (AES-256-GCM, not exportable) unless it exists.\n");
        sb.Append(Bao("read", KeyPath)).Append(" >/dev/null 2>&1 \\\n  || ").Append(CreateKeyCommand()).Append('\n');
        return sb.ToString();
    }

    public string AppRoleCommands()
    {
        var sb = new StringBuilder();
        sb.Append("# 1. Enable AppRole unless it is enabled already.\n");
        sb.Append(Bao("auth list", "-format=json")).Append(" | grep -q '\"approle/\"' || ").Append(Bao("auth enable", "approle")).Append('\n');
        sb.Append("# 2. Load the policy above (saved as ").Append(ShellWords.CommentText(options.PolicyName)).Append(".hcl).\n");
        sb.Append(WritePolicyCommand()).Append('\n');
        sb.Append("# 3. The role OpenKCM logs in with: only this policy (no 'default'), renewable 1h tokens, at most 4h.\n");
        sb.Append(WriteRoleCommand()).Append(" \\\n")
            .Append("    ").Append(ShellWords.Quote($"token_policies={options.PolicyName}")).Append(" \\\n")
            .Append("    token_no_default_policy=true \\\n")
            .Append("    token_type=service \\\n")
            .Append("    token_ttl=1h \\\n")
            .Append("    token_max_ttl=4h \\\n")
            .Append("    bind_secret_id=true\n");
        sb.Append("# 4. The Role ID field:\n").Append(ReadRoleIdCommand()).Append('\n');
        if (secretIdPath is null)
        {
            sb.Append("# 5. A secret ID for the Secret ID field (shown once; paste it into the console, do not keep a copy):\n")
                .Append(NewSecretIdCommand()).Append('\n');
        }
        else
        {
            sb.Append("# 5. A secret ID written to ").Append(ShellWords.CommentText(secretIdPath))
                .Append(" on the console host, readable only by the console's service account:\n")
                .Append(WriteSecretIdFileCommand(secretIdPath)).Append('\n');
        }

        return sb.ToString();
    }

    public PermissionGuidance Build() => new()
    {
        Summary = $"Create the policy \"{options.PolicyName}\" that lets OpenKCM read the transit key \"{key}\" at "
            + $"\"{mount}/\" and encrypt and decrypt with it, and nothing else; then an AppRole \"{options.RoleName}\" "
            + "that issues renewable tokens with only that policy"
            + (ns is null ? "." : $", all in the namespace \"{ns}/\"."),
        Blocks =
        [
            new GuidanceBlock($"Policy {options.PolicyName}", "hcl", Policy(),
                "Least privilege: read the key's metadata, encrypt and decrypt with this one key, and let the token look "
                + "itself up and renew itself. No create (a typo cannot create a new key), no list, no delete, no export, "
                + "no rotate. Test Connection checks that listing the mount's keys is refused."),
            new GuidanceBlock("Transit engine and key", "bash", TransitCommands(),
                "The L1 key lives in OpenBao's transit engine and never leaves it: OpenKCM only asks OpenBao to encrypt "
                + "and decrypt L2 key material with it. aes256-gcm96 supports the associated data OpenKCM binds to each "
                + "wrapped key."),
            new GuidanceBlock("AppRole for OpenKCM", "bash", AppRoleCommands(),
                "OpenKCM logs in with the role ID and secret ID, renews its token while it is in use, and logs in again "
                + "when the token reaches its maximum TTL. token_no_default_policy keeps the token to exactly the policy "
                + "above."),
        ],
    };
}

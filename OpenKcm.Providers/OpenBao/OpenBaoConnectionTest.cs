using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.Checks;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// One Test Connection run: the checks of <see cref="OpenBaoPlugin.Checks"/> in order, each against the live server,
/// each yielded as soon as it finishes. Keystore failures become failed checks (with cause, remedy and error kind);
/// after a failure the remaining checks are skipped. Used once, by one caller.
/// </summary>
internal sealed class OpenBaoConnectionTest
{
    private readonly OpenBaoPlugin _plugin;
    private readonly KeystoreSettings _settings;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;
    private readonly OpenBaoOptions _options;
    private readonly ILogger _logger;

    private OpenBaoConfiguration? _configuration;
    private OpenBaoGuidance? _guidance;
    private VaultClient? _client;
    private VaultAuth? _auth;

    public OpenBaoConnectionTest(
        OpenBaoPlugin plugin, KeystoreSettings settings, ISecretResolver secrets, TimeProvider time, OpenBaoOptions options,
        ILogger logger)
    {
        _logger = logger;
        _plugin = plugin;
        _settings = settings;
        _secrets = secrets;
        _time = time;
        _options = options;
    }

    private OpenBaoConfiguration Configuration => _configuration!;

    private OpenBaoGuidance Guidance => _guidance!;

    private VaultClient Client => _client!;

    private string Token => _auth!.ClientToken;

    public IAsyncEnumerable<CheckResult> RunAsync(CancellationToken cancellationToken) => new CheckSequence
    {
        Checks = OpenBaoPlugin.Checks,
        RunCheckAsync = RunCheckAsync,
        Remedy = Remedy,
        Timeout = _options.TestConnectionTimeout,
        TimeoutDetail = $"Test Connection did not finish within {VaultErrors.Format(_options.TestConnectionTimeout)}.",
        TimeoutRemedy = "OpenBao or the network is too slow: check the server's load, its storage and audit devices (OpenBao stops "
            + "answering when no audit device can record a request), and the network between the console and OpenBao.",
        Release = Release,
        Time = _time,
        Logger = _logger,
    }.RunAsync(cancellationToken);

    private void Release()
    {
        _client?.Dispose();
        _configuration?.Dispose();
    }

    private Task<CheckStep> RunCheckAsync(string id, CancellationToken token) => id switch
    {
        OpenBaoCheckIds.ServerHealth => ServerHealthAsync(token),
        OpenBaoCheckIds.Authenticate => AuthenticateAsync(token),
        OpenBaoCheckIds.TokenLifecycle => TokenLifecycleAsync(token),
        OpenBaoCheckIds.KeyAccess => KeyAccessAsync(token),
        OpenBaoCheckIds.EncryptDecrypt => EncryptDecryptAsync(token),
        OpenBaoCheckIds.PolicyEnforcement => PolicyEnforcementAsync(token),
        _ => throw new InvalidOperationException($"Unknown check '{id}'."),
    };

    private async Task<CheckStep> ServerHealthAsync(CancellationToken cancellationToken)
    {
        _configuration = OpenBaoConfiguration.Parse(_settings, _plugin.SecretIdLocations);
        _guidance = OpenBaoGuidance.From(_configuration, _options);
        _client = _plugin.CreateClient(_configuration);

        var health = await Client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        var where = Configuration.Address.GetLeftPart(UriPartial.Authority);
        var version = health.Version is { } v ? $"OpenBao/Vault version {v}" : "version not reported";
        var cluster = health.ClusterName is { } c ? $", cluster {c}" : "";
        var tls = Configuration.Address.Scheme == "https"
            ? Configuration.CaCertificates.IsDefaultOrEmpty
                ? " TLS certificate verified against the system's trusted roots."
                : " TLS certificate verified against the configured CA certificate."
            : " Plain http on loopback.";

        if (!health.Initialized)
        {
            return CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"OpenBao at {where} is reachable but not initialized ({version}).",
                "Initialize it (bao operator init), unseal it, then set up the transit key and AppRole from the permissions step.");
        }

        if (health.Sealed)
        {
            return CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"OpenBao at {where} is reachable but sealed ({version}): it serves no requests until it is unsealed.",
                "Unseal it with the unseal keys (bao operator unseal on each node), or check the auto-unseal KMS/HSM it depends on.");
        }

        return health.StatusCode switch
        {
            200 => CheckStep.Pass($"Reachable at {where}: initialized, unsealed, active node; {version}{cluster}.{tls}"),
            429 => CheckStep.Warn(
                $"Reachable at {where}, but this node is a standby ({version}{cluster}): it forwards requests to the active node, "
                + "which adds a hop to every key operation.",
                "Point vault_address at the cluster's load-balanced address (or the active node) so requests reach the active node directly."),
            473 => CheckStep.Warn(
                $"Reachable at {where}, but this node is a performance standby ({version}{cluster}): it forwards encrypt and decrypt to the active node.",
                "Point vault_address at the cluster's load-balanced address or the active node."),
            472 => CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"{where} is a disaster-recovery secondary ({version}): it does not serve key operations.",
                "Use the primary cluster's address; a DR secondary serves requests only after it is promoted."),
            474 => CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"{where} is a standby that cannot reach the active node ({version}).",
                "Check the cluster's health (bao operator raft list-peers) and use an address that reaches a healthy node."),
            530 => CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"{where} has been removed from its cluster ({version}).",
                "Use the address of a node that is a member of the cluster, or of the cluster's load balancer."),
            _ => CheckStep.Fail(KeystoreErrorKind.Unavailable,
                $"{where} answered the health check with status {health.StatusCode} ({version}): it is not serving requests.",
                "Check the server's logs and state (bao status)."),
        };
    }

    private async Task<CheckStep> AuthenticateAsync(CancellationToken cancellationToken)
    {
        using var secretId = await AppRoleSecretSource.GetAsync(Configuration, _secrets, _plugin.SecretIdLocations, cancellationToken)
            .ConfigureAwait(false);
        _auth = await Client.LoginAppRoleAsync(Configuration.RoleId, secretId, cancellationToken).ConfigureAwait(false);
        var source = Configuration.SecretIdPath is { } path ? $"the secret ID read from {path}" : "the stored secret ID";
        var lifetime = _auth.LeaseDuration > TimeSpan.Zero
            ? $"valid for {VaultErrors.Format(_auth.LeaseDuration)}{(_auth.Renewable ? ", renewable" : ", not renewable")}"
            : "without expiry";
        var detail = $"Logged in with the role ID and {source}: token with policies {Policies(_auth.Policies)}, {lifetime}.";
        if (_auth.Policies.Contains("root"))
        {
            return CheckStep.Warn(detail + " The token has the root policy: it can do anything on this server.",
                "Give the role only the generated policy: "
                + Guidance.WriteRoleCommand($"token_policies={Guidance.PolicyName}", "token_no_default_policy=true"));
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> TokenLifecycleAsync(CancellationToken cancellationToken)
    {
        var info = await Client.LookupSelfAsync(Token, cancellationToken).ConfigureAwait(false);
        var type = info.Type is { } t ? $"{t} token" : "token";
        var ttl = info.Ttl > TimeSpan.Zero ? $"{VaultErrors.Format(info.Ttl)} left" : "no expiry";
        if (info.Ttl == TimeSpan.Zero)
        {
            return CheckStep.Warn($"Looked up the {type} ({Policies(info.Policies)}): it never expires, so a leaked token stays valid forever.",
                "Give the role's tokens a lifetime: " + Guidance.WriteRoleCommand("token_ttl=1h", "token_max_ttl=4h"));
        }

        if (!info.Renewable)
        {
            return CheckStep.Warn(
                $"Looked up the {type}: {ttl}, not renewable{(info.Type == "batch" ? " (batch tokens never are)" : "")}. "
                + "OpenKCM will log in again before each expiry instead of renewing, which costs a login per token lifetime.",
                "Issue renewable service tokens: "
                + Guidance.WriteRoleCommand("token_type=service", "token_ttl=1h", "token_max_ttl=4h"));
        }

        var renewed = await Client.RenewSelfAsync(Token, cancellationToken).ConfigureAwait(false);
        var detail = $"Looked up the {type}: {ttl}, renewable. Renewed it: valid for {VaultErrors.Format(renewed.LeaseDuration)}.";
        if (renewed.LeaseDuration > TimeSpan.Zero && renewed.LeaseDuration < info.Ttl)
        {
            detail += " The renewal was capped by the maximum TTL; OpenKCM logs in again when it is reached.";
        }

        if (renewed.LeaseDuration is { TotalSeconds: > 0 and < 60 })
        {
            return CheckStep.Warn(detail + " Tokens this short-lived make OpenKCM log in very often.",
                "Lengthen the token lifetime: " + Guidance.WriteRoleCommand("token_ttl=1h", "token_max_ttl=4h"));
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> KeyAccessAsync(CancellationToken cancellationToken)
    {
        var key = await Client.ReadKeyAsync(Token, Configuration.MountPath, Configuration.KeyName, cancellationToken).ConfigureAwait(false);
        var path = Configuration.KeyPath;
        var newKey = "Create an aes256-gcm96 key and enter its name in key_name: "
            + Guidance.Bao("write", $"{Configuration.MountPath}/keys/<new-key-name>", "type=aes256-gcm96");

        if (!key.SupportsEncryption || !key.SupportsDecryption)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"The transit key {path} is of type {key.Type}, which cannot both encrypt and decrypt.", newKey);
        }

        if (!key.IsAead)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"The transit key {path} is of type {key.Type}, which cannot bind associated data; OpenKCM binds every wrapped key "
                + "to its owner with associated data.", newKey);
        }

        if (key.Derived)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"The transit key {path} is a derived key, which needs a per-request context; OpenKCM uses it as one L1 key.", newKey);
        }

        var detail = $"Transit key {path}: {key.Type}, latest version {key.LatestVersion}, supports encryption and decryption"
            + (key.Type == "aes256-gcm96" ? "." : " (aes256-gcm96 is recommended).");
        if (key.Exportable || key.AllowPlaintextBackup)
        {
            return CheckStep.Warn(
                detail + $" The key {(key.Exportable ? "is exportable" : "allows plaintext backups")}: its material can leave OpenBao, "
                + "which an L1 customer master key must not.",
                "Both settings are permanent on an existing key. " + newKey + " (without exportable or allow_plaintext_backup).");
        }

        if (key.DeletionAllowed)
        {
            return CheckStep.Warn(detail + " The key may be deleted (deletion_allowed=true): deleting it makes every wrapped L2 key unreadable.",
                "Protect it: " + Guidance.Bao("write", $"{path}/config", "deletion_allowed=false"));
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> EncryptDecryptAsync(CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(32);
        var associatedData = RandomNumberGenerator.GetBytes(16);
        var ciphertext = await Client.EncryptAsync(Token, Configuration.MountPath, Configuration.KeyName, value, associatedData, cancellationToken)
            .ConfigureAwait(false);
        var back = await Client.DecryptAsync(Token, Configuration.MountPath, Configuration.KeyName, ciphertext, associatedData, cancellationToken)
            .ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                "OpenBao decrypted the test value to something other than what was encrypted.",
                "Check that vault_address points at OpenBao's API and not at an intermediary that rewrites answers.");
        }

        var version = ciphertext.Split(':') is [_, var v, ..] ? $" (key {v})" : "";
        var detail = $"Encrypted 32 random bytes with associated data{version} and decrypted them back unchanged.";

        // The associated data must be enforced: a ciphertext presented with other associated data must not open.
        try
        {
            _ = await Client.DecryptAsync(Token, Configuration.MountPath, Configuration.KeyName, ciphertext,
                RandomNumberGenerator.GetBytes(16), cancellationToken).ConfigureAwait(false);
            return CheckStep.Warn(detail + " But it also decrypted with different associated data: the binding is not enforced.",
                "Use an AEAD key type (aes256-gcm96) and an OpenBao version that supports associated_data on transit.");
        }
        catch (KeystoreException ex) when (ex.Kind == KeystoreErrorKind.InvalidResponse)
        {
            return CheckStep.Pass(detail + " A decrypt with different associated data was refused, as it must be.");
        }
    }

    private async Task<CheckStep> PolicyEnforcementAsync(CancellationToken cancellationToken)
    {
        try
        {
            var keys = await Client.ListKeysAsync(Token, Configuration.MountPath, cancellationToken).ConfigureAwait(false);
            return CheckStep.Warn(
                $"The token can list all transit keys at {Configuration.MountPath}/ ({keys.Length} found): the policy is broader than needed.",
                $"Give the role only the generated least-privilege policy (and token_no_default_policy=true):\n{Guidance.Policy()}");
        }
        catch (KeystoreException ex) when (ex.Kind == KeystoreErrorKind.PermissionDenied)
        {
            var extra = _auth!.Policies.Contains("default")
                ? " The token also carries the 'default' policy; set token_no_default_policy=true on the role to drop it."
                : "";
            return CheckStep.Pass(
                $"Listing the keys at {Configuration.MountPath}/ was refused, as it should be: the token is limited to its own key.{extra}");
        }
    }

    private string? Remedy(string checkId, KeystoreException ex)
    {
        var guidance = _guidance ?? OpenBaoGuidance.From(_settings, _options, _plugin.SecretIdLocations);
        var address = _configuration?.Address.GetLeftPart(UriPartial.Authority) ?? "the OpenBao address";
        switch (ex.Kind)
        {
            case KeystoreErrorKind.InvalidConfiguration when AppRoleSecretSource.IsOutsideProblem(ex):
                return $"Use a regular file inside {_plugin.SecretIdLocations.Describe()}, not a link to a file elsewhere (writing to "
                    + $"this path would follow the link), or ask an administrator to allow its directory with {OpenBaoOptions.SecretIdDirectoriesKey}.";
            case KeystoreErrorKind.InvalidConfiguration when AppRoleSecretSource.IsFileProblem(ex):
                return $"Keep the file in {_plugin.SecretIdLocations.Describe()} (an administrator can allow another directory with "
                    + $"{OpenBaoOptions.SecretIdDirectoriesKey}), as a regular file that holds only the secret ID and that the console's "
                    + "service account can read. To write a new one: "
                    + guidance.WriteSecretIdFileCommand(_configuration?.SecretIdPath ?? "<secret_id_path>");
            case KeystoreErrorKind.InvalidConfiguration when ex.InnerException is HttpRequestException:
                return "Paste the PEM of the CA that issued OpenBao's TLS certificate into ca_certificate, and use the host name the "
                    + "certificate was issued for in vault_address.";
            case KeystoreErrorKind.InvalidConfiguration:
                return "Correct the configuration as described, then test again.";
            case KeystoreErrorKind.AuthenticationFailed:
                return (ex.Data[VaultErrors.LoginFailureKey] as LoginFailure?) switch
                {
                    LoginFailure.UnknownRoleId => $"Copy the role ID again from OpenBao: {guidance.ReadRoleIdCommand()}",
                    LoginFailure.InvalidSecretId => $"Generate a new secret ID ({guidance.NewSecretIdCommand()}) and "
                        + (_configuration?.SecretIdPath is { } p ? $"write it to {p}." : "enter it as the Secret ID.")
                        + " Check the role's secret_id_ttl and secret_id_num_uses if secret IDs stop working after a while.",
                    LoginFailure.AppRoleNotEnabled => $"Enable AppRole ({guidance.Bao("auth enable", "approle")}) and create the role: see "
                        + "the permissions step.",
                    _ => "Check the role's restrictions in OpenBao (secret_id_bound_cidrs, token_bound_cidrs) against the console's address.",
                };
            case KeystoreErrorKind.PermissionDenied:
                var (capability, path) = ex.Permission?.Split(" on ", 2) is [var c, var p2] ? (c, p2) : ("update", guidance.KeyPath);
                var typo = checkId is OpenBaoCheckIds.KeyAccess or OpenBaoCheckIds.EncryptDecrypt
                    ? "\nIf mount_path or key_name is mistyped, correct it instead."
                    : "";
                return $"Add this to the policy {guidance.PolicyName} (then {guidance.WritePolicyCommand()}):\n"
                    + OpenBaoGuidance.PolicyLine(path, capability) + typo;
            case KeystoreErrorKind.KeyNotFound when ex.Message.Contains("No secrets engine", StringComparison.Ordinal):
                return $"Enable transit at {guidance.Mount}/ and create the key:\n{guidance.EnableTransitCommand()}\n{guidance.CreateKeyCommand()}";
            case KeystoreErrorKind.KeyNotFound:
                return $"Create the key (or correct mount_path / key_name): {guidance.CreateKeyCommand()}";
            case KeystoreErrorKind.Unreachable:
                return $"Check vault_address (scheme, host and port) and that the console host can reach {address} through firewalls and proxies.";
            case KeystoreErrorKind.TimedOut:
                return $"OpenBao or the network is too slow (each request may take at most {VaultErrors.Format(_options.RequestTimeout)}): "
                    + "check the server's load, its storage and audit devices, and the network path.";
            case KeystoreErrorKind.Unavailable:
                return "Check the server's state (bao status): unseal it, wait for maintenance to end, or use the active node's address.";
            case KeystoreErrorKind.Throttled:
                return "A rate limit quota applies to these requests: raise it (bao write sys/quotas/rate-limit/<name> ...) or test again later.";
            case KeystoreErrorKind.InvalidResponse when checkId == OpenBaoCheckIds.ServerHealth:
                return "Make sure vault_address is OpenBao's API address (e.g. https://openbao.company.internal:8200), not its UI, a proxy "
                    + "login page or another service.";
            default:
                return null;
        }
    }

    private static string Policies(IEnumerable<string> policies) =>
        policies.Any() ? string.Join(", ", policies) : "(none)";
}

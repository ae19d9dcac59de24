using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.Checks;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// One Test Connection run: the checks of <see cref="AwsKmsPlugin.Checks"/> in order, each against live AWS (or the
/// sandbox), each yielded as soon as it finishes. AWS failures become failed checks with cause, remedy and error kind;
/// after a failure the remaining checks are skipped. Used once, by one caller; the run disposes it when it ends.
/// </summary>
internal sealed class AwsKmsConnectionTest : IDisposable
{
    private readonly AwsKmsPlugin _plugin;
    private readonly KeystoreSettings _settings;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private AwsKmsConfiguration? _configuration;
    private AwsKmsGuidance? _guidance;
    private AwsCallRunner? _runner;
    private AwsStsClient? _sts;
    private AwsSessionCache? _sessions;
    private AwsKmsClient? _kms;
    private AwsCallerIdentity? _identity;
    private string? _keyArn;

    public AwsKmsConnectionTest(AwsKmsPlugin plugin, KeystoreSettings settings, ISecretResolver secrets, TimeProvider time, ILogger logger)
    {
        _plugin = plugin;
        _settings = settings;
        _secrets = secrets;
        _time = time;
        _logger = logger;
    }

    private AwsKmsConfiguration Configuration => _configuration!;

    private AwsKmsGuidance Guidance => _guidance!;

    private AwsKmsOptions Options => _plugin.Options;

    public IAsyncEnumerable<CheckResult> RunAsync(CancellationToken cancellationToken) => new CheckSequence
    {
        Checks = AwsKmsPlugin.Checks,
        RunCheckAsync = RunCheckAsync,
        Remedy = Remedy,
        Timeout = Options.TestConnectionTimeout,
        TimeoutDetail = $"Test Connection did not finish within {AwsErrors.Format(Options.TestConnectionTimeout)}.",
        TimeoutRemedy = "AWS or the network is too slow: check the console host's network path to AWS (proxy, VPC endpoint, firewall) "
            + "and the AWS Health Dashboard for STS and KMS in this region.",
        Release = Dispose,
        Time = _time,
        Logger = _logger,
    }.RunAsync(cancellationToken);

    public void Dispose() => _kms?.Dispose();

    private Task<CheckStep> RunCheckAsync(string id, CancellationToken token) => id switch
    {
        AwsKmsCheckIds.ConsoleCredentials => ConsoleCredentialsAsync(token),
        AwsKmsCheckIds.AssumeRole => AssumeRoleAsync(token),
        AwsKmsCheckIds.DescribeKey => DescribeKeyAsync(token),
        AwsKmsCheckIds.EncryptDecrypt => EncryptDecryptAsync(token),
        AwsKmsCheckIds.GenerateDataKey => GenerateDataKeyAsync(token),
        _ => throw new InvalidOperationException($"Unknown check '{id}'."),
    };

    private async Task<CheckStep> ConsoleCredentialsAsync(CancellationToken cancellationToken)
    {
        _configuration = AwsKmsConfiguration.Parse(_settings);
        _guidance = AwsKmsGuidance.From(_configuration, Options);
        _runner = new AwsCallRunner(_configuration, Options, _time);
        _sts = new AwsStsClient(_configuration, Options, _plugin.Handlers, _secrets, _time, _runner);

        _identity = await _sts.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
        var source = Configuration.CredentialSource == AwsKmsFieldNames.AccessKeys
            ? $"The stored access key {Configuration.AccessKeyId} belongs"
            : "The console host's default AWS credentials belong";
        var detail = $"{source} to {_identity.Arn} (account {_identity.Account}).";
        if (_identity.Arn.EndsWith(":root", StringComparison.Ordinal))
        {
            return CheckStep.Warn(detail + " These are the account's root user credentials, which can do anything in the account.",
                "Create an IAM user (or use an instance role) whose only permission is the 'Console principal's permission' "
                + "block of the permissions step, and use its access key instead; delete the root access key.");
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> AssumeRoleAsync(CancellationToken cancellationToken)
    {
        var session = await _sts!.AssumeRoleAsync(cancellationToken).ConfigureAwait(false);
        _sessions = new AwsSessionCache(_sts.AssumeRoleAsync, Configuration.Role.Value, _time, _logger);
        _sessions.Prime(session);
        _kms = new AwsKmsClient(Configuration, Options, _plugin.Handlers, _sessions, _runner!);

        var lifetime = session.Expiration - session.ObtainedAt;
        var detail = $"Assumed {Configuration.Role.Value} with the external ID as {session.AssumedRoleArn}: session valid for "
            + $"{AwsErrors.Format(lifetime)}; OpenKCM renews it after {AwsErrors.Format(session.RefreshAt - session.ObtainedAt)}.";

        // The external ID protects only if the trust policy requires it: a session without it must be refused.
        try
        {
            _ = await _sts.AssumeRoleWithoutExternalIdAsync(cancellationToken).ConfigureAwait(false);
            return CheckStep.Warn(detail + " But the role also let the console in WITHOUT the external ID: its trust policy does "
                + "not require sts:ExternalId, so anyone trusted by it could use the role on another customer's behalf.",
                "Replace the role's trust policy with the 'Role trust policy' block (it requires the external ID):\n"
                + Guidance.TrustPolicy(TrustedPrincipal()));
        }
        catch (KeystoreException ex) when (ex.Kind == KeystoreErrorKind.PermissionDenied)
        {
            return CheckStep.Pass(detail + " Without the external ID the role refuses the console, as it should.");
        }
        catch (KeystoreException ex)
        {
            // Throttled, timed out, STS unavailable…: the role may well accept a session without the external ID, so
            // this is not the pass that a refusal would be.
            return CheckStep.Warn(detail + $" Whether the role also requires the external ID could not be checked: {ex.Message}",
                "Test the connection again; if this persists, make sure the role's trust policy is the 'Role trust policy' "
                + "block (it requires sts:ExternalId):\n" + Guidance.TrustPolicy(TrustedPrincipal()));
        }
    }

    private async Task<CheckStep> DescribeKeyAsync(CancellationToken cancellationToken)
    {
        var key = await _kms!.DescribeKeyAsync(cancellationToken).ConfigureAwait(false);
        _keyArn = key.Arn;
        var name = key.Arn ?? Configuration.Key.Value;
        var target = Target(key.Arn);
        var state = key.KeyState?.Value;
        if (state != KeyState.Enabled.Value)
        {
            return state switch
            {
                _ when state == KeyState.Disabled.Value => CheckStep.Fail(KeystoreErrorKind.KeyDisabled,
                    $"The key {name} is disabled: KMS refuses every cryptographic operation with it.",
                    $"Enable it: aws kms enable-key{target}"),
                _ when state == KeyState.PendingDeletion.Value => CheckStep.Fail(KeystoreErrorKind.KeyDisabled,
                    $"The key {name} is scheduled for deletion{(key.DeletionDate is { } d ? $" on {d.ToUniversalTime():yyyy-MM-dd HH:mm} UTC" : "")}: "
                    + "once deleted, every L2 key wrapped under it is lost for good.",
                    $"Cancel the deletion, then enable the key: aws kms cancel-key-deletion{target} && aws kms enable-key{target}"),
                _ when state == KeyState.PendingImport.Value => CheckStep.Fail(KeystoreErrorKind.KeyDisabled,
                    $"The key {name} is pending import: it was created for imported key material (origin EXTERNAL) that has not been imported yet.",
                    $"Import the key material (aws kms get-parameters-for-import, then aws kms import-key-material{target}), or use a key created with origin AWS_KMS."),
                _ => CheckStep.Fail(KeystoreErrorKind.Unavailable,
                    $"The key {name} is in the state {state ?? "unknown"}, which allows no cryptographic operation now.",
                    "Wait until the key is Enabled (a custom key store must be connected; a replica must finish creating), then test again."),
            };
        }

        if (key.KeyUsage?.Value != KeyUsageType.ENCRYPT_DECRYPT.Value)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"The key {name} has the key usage {key.KeyUsage?.Value ?? "unknown"}: it cannot encrypt and decrypt, which wrapping L2 keys needs.",
                CreateKeyRemedy());
        }

        if (key.KeySpec?.Value != KeySpec.SYMMETRIC_DEFAULT.Value)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"The key {name} has the key spec {key.KeySpec?.Value ?? "unknown"}: OpenKCM needs a symmetric key (SYMMETRIC_DEFAULT), "
                + "which binds an encryption context to every wrapped value and never exposes a public half.",
                CreateKeyRemedy());
        }

        var detail = $"Key {name}: Enabled, ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT, origin {key.Origin?.Value ?? "unknown"}, "
            + $"{(key.KeyManager?.Value == KeyManagerType.AWS.Value ? "AWS managed" : "customer managed")}"
            + $"{(key.MultiRegion == true ? ", multi-Region" : "")}.";
        if (key.KeyManager?.Value == KeyManagerType.AWS.Value)
        {
            return CheckStep.Warn(detail + " An AWS managed key's policy cannot be changed and AWS may restrict it to its own services.",
                CreateKeyRemedy());
        }

        if (Configuration.Key.IsAlias)
        {
            return CheckStep.Warn(
                detail + $" kms_key_id is the alias {Configuration.Key.AliasName}: if the alias is ever pointed at another key, the L2 keys "
                + "wrapped under this one can no longer be unwrapped through it.",
                $"Enter the key ARN {name} as kms_key_id; the permissions step then generates a policy on exactly that key.");
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> EncryptDecryptAsync(CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(32);
        var context = AwsKmsConnection.Context(RandomNumberGenerator.GetBytes(16));
        var (ciphertext, keyArn) = await _kms!.EncryptAsync(value, context, cancellationToken).ConfigureAwait(false);
        var back = await _kms.DecryptAsync(ciphertext, context, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                "KMS decrypted the test value to something else than was encrypted.",
                "Check that the endpoint is AWS KMS (or a faithful proxy), not another service.");
        }

        var other = AwsKmsConnection.Context(RandomNumberGenerator.GetBytes(16));
        try
        {
            _ = await _kms.DecryptAsync(ciphertext, other, cancellationToken).ConfigureAwait(false);
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                "KMS decrypted the test value with a different encryption context: the context is not bound to the ciphertext, "
                + "so a wrapped L2 key could be unwrapped for another owner.",
                "Check that the endpoint is AWS KMS (or a faithful proxy), not another service.");
        }
        catch (KeystoreException ex) when (ex.VendorCode == "InvalidCiphertextException")
        {
            return CheckStep.Pass(
                $"Encrypted 32 random bytes under {(keyArn.Length > 0 ? keyArn : Configuration.Key.Value)} with an encryption context and "
                + "decrypted them back; decrypting with another context was refused, so every wrapped L2 key is bound to its owner.");
        }
    }

    private async Task<CheckStep> GenerateDataKeyAsync(CancellationToken cancellationToken)
    {
        var context = AwsKmsConnection.Context(RandomNumberGenerator.GetBytes(16));
        var (plaintextLength, ciphertextLength) = await _kms!.GenerateDataKeyAsync(context, cancellationToken).ConfigureAwait(false);
        if (plaintextLength != 32 || ciphertextLength == 0)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                $"KMS answered GenerateDataKey AES_256 with a {plaintextLength}-byte key{(ciphertextLength == 0 ? " and no encrypted copy" : "")}.",
                "Check that the endpoint is AWS KMS (or a faithful proxy), not another service.");
        }

        return CheckStep.Pass(
            $"KMS generated an AES-256 data key under {_keyArn ?? Configuration.Key.Value} (32 bytes, with a {ciphertextLength}-byte "
            + "encrypted copy): ready to derive L2 keys.");
    }

    private string? Remedy(string checkId, KeystoreException ex)
    {
        if (_configuration is null)
        {
            return "Correct the configuration in the previous step.";
        }

        var where = AwsErrors.Where(checkId == AwsKmsCheckIds.ConsoleCredentials || checkId == AwsKmsCheckIds.AssumeRole
            ? AwsOperation.AssumeRole : AwsOperation.DescribeKey, Configuration);
        switch (ex.Kind)
        {
            case KeystoreErrorKind.PermissionDenied when ex.Permission == AwsOperation.AssumeRole.Action():
                return $"First check that the External ID entered here is the one the role's trust policy requires. "
                    + $"The role's trust policy must allow {TrustedPrincipal()} to call sts:AssumeRole with sts:ExternalId "
                    + $"\"{Configuration.ExternalId}\", and the console's principal needs sts:AssumeRole on {Configuration.Role.Value} "
                    + "(the 'Console principal's permission' block). Trust policy:\n" + Guidance.TrustPolicy(TrustedPrincipal());
            case KeystoreErrorKind.PermissionDenied when ex.Permission is { } permission:
                return $"Grant {permission}: {Guidance.PolicyLineFor(permission)} (the 'Role policy' and 'Key policy statement' blocks "
                    + "of the permissions step). IAM changes can take a few seconds to apply.";
            case KeystoreErrorKind.AuthenticationFailed when checkId == AwsKmsCheckIds.ConsoleCredentials:
                return Configuration.CredentialSource == AwsKmsFieldNames.AccessKeys
                    ? "Check access_key_id and enter the secret access key again; make sure the key is active in IAM (aws iam "
                        + "list-access-keys) and that the console host's clock is correct."
                    : "Check the console host's AWS credentials (environment, profile, instance role) and its clock.";
            case KeystoreErrorKind.AuthenticationFailed:
                return "The role's session credentials were refused: make sure the console host's clock is correct and test again.";
            case KeystoreErrorKind.InvalidConfiguration:
                return "Correct the configuration (or the key or account setting named above) and test again.";
            case KeystoreErrorKind.KeyNotFound:
                return $"Check kms_key_id and region: aws kms describe-key{Target(null)}. With an alias or key id, the key must be in "
                    + $"the role's account ({Configuration.Role.Account}); for another account enter the key ARN.";
            case KeystoreErrorKind.KeyDisabled:
                return $"Enable the key (aws kms enable-key{Target(_keyArn)}), or cancel its deletion first (aws kms cancel-key-deletion).";
            case KeystoreErrorKind.Throttled:
                return "The account's KMS or STS request quota in this region is exhausted: wait and test again, find what else "
                    + "calls KMS in this account and region, or request a higher quota in Service Quotas ('Cryptographic operations "
                    + "(symmetric) request rate').";
            case KeystoreErrorKind.Unreachable:
                return $"Check that the console host can reach {where}: endpoint settings, DNS, proxy, firewall or VPC endpoint.";
            case KeystoreErrorKind.TimedOut:
                return $"{where} is too slow (each request may take at most {AwsErrors.Format(Options.RequestTimeout)}): check the "
                    + "network path (proxy, VPC endpoint) and the AWS Health Dashboard.";
            case KeystoreErrorKind.Unavailable:
                return "AWS reported a failure on its side, usually transient: test again, and check the AWS Health Dashboard for "
                    + $"KMS and STS in {Configuration.Region.Name}.";
            case KeystoreErrorKind.InvalidResponse:
                return "Make sure the endpoint settings point at AWS KMS and STS (or a faithful emulator), not another service.";
            default:
                return null;
        }
    }

    /// <summary>The principal a trust policy must name: the caller, or for an assumed-role caller its role.</summary>
    private string TrustedPrincipal()
    {
        if (_identity?.Arn is not { } arn)
        {
            return AwsKmsGuidance.ConsolePrincipalPlaceholder;
        }

        // arn:aws:sts::111122223333:assumed-role/Name/session -> arn:aws:iam::111122223333:role/Name
        var parts = arn.Split(':', 6);
        if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            var role = parts[5].Split('/')[1];
            return $"arn:{parts[1]}:iam::{parts[4]}:role/{role}";
        }

        return arn;
    }

    private string Target(string? keyArn) =>
        $" --region {Configuration.Region.Name}{(Configuration.Endpoint is { } e ? " --endpoint-url " + e.ToString().TrimEnd('/') : "")} "
        + $"--key-id {keyArn ?? Configuration.Key.Value}";

    private string CreateKeyRemedy() =>
        $"Use a customer managed symmetric encryption key: aws kms create-key --region {Configuration.Region.Name} --key-usage "
        + "ENCRYPT_DECRYPT --key-spec SYMMETRIC_DEFAULT --description 'OpenKCM L1 key', then enter its key ARN as kms_key_id.";
}

using OpenKcm.Sandbox.AwsKms.Core;

namespace OpenKcm.Sandbox.AwsKms;

/// <summary>
/// In-process control of the emulator's account for tests and the sandbox page: keys and their states, IAM users and
/// roles with their allowed actions, throttling. Changes apply to the next request. Thread-safe. Invalid arguments
/// throw <see cref="ArgumentException"/> with the reason; nothing changes then.
/// </summary>
public sealed class AwsKmsAdmin
{
    private readonly AwsAccount _account;
    private readonly TokenBucket _throttle;

    internal AwsKmsAdmin(AwsAccount account, TokenBucket throttle)
    {
        _account = account;
        _throttle = throttle;
    }

    /// <summary>KMS requests per second per account before ThrottlingException; <c>null</c>: unlimited. Setting refills the bucket.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive number.</exception>
    public double? ThrottleRequestsPerSecond
    {
        get => _throttle.Rate;
        set => _throttle.Rate = value;
    }

    /// <summary>Creates a key (fresh random material) and optionally an alias for it; returns the key ARN.</summary>
    /// <param name="keyUsage">ENCRYPT_DECRYPT, SIGN_VERIFY or GENERATE_VERIFY_MAC.</param>
    /// <param name="keySpec">SYMMETRIC_DEFAULT, RSA_2048/3072/4096 or HMAC_256.</param>
    /// <param name="alias">E.g. <c>alias/name</c>; must be new.</param>
    /// <param name="keyState">Enabled, Disabled, PendingDeletion (deletion in 30 days) or PendingImport.</param>
    public string CreateKey(string keyUsage = "ENCRYPT_DECRYPT", string keySpec = "SYMMETRIC_DEFAULT", string? alias = null,
        string keyState = "Enabled")
    {
        AwsAccount.CheckKeyState(keyState);
        try
        {
            var key = _account.AddKey(keyUsage, keySpec, "Enabled", "", alias);
            SetKeyState(key.Arn, keyState);
            return key.Arn;
        }
        catch (AwsException error)
        {
            throw new ArgumentException(error.AwsMessage, nameof(alias));
        }
    }

    /// <summary>Forces a key's state (any transition, unlike the API). PendingDeletion sets a deletion date 30 days out.</summary>
    public void SetKeyState(string keyIdOrArn, string keyState)
    {
        AwsAccount.CheckKeyState(keyState);
        var key = Find(keyIdOrArn);
        _account.Mutate(() =>
        {
            key.KeyState = keyState;
            key.PendingWindowInDays = keyState == "PendingDeletion" ? 30 : null;
            key.DeletionDate = keyState == "PendingDeletion" ? _account.Time.GetUtcNow() + TimeSpan.FromDays(30) : null;
        });
    }

    /// <summary>The state of a key (Enabled, Disabled, PendingDeletion, PendingImport).</summary>
    public string GetKeyState(string keyIdOrArn)
    {
        var key = Find(keyIdOrArn);
        return _account.Locked(() => key.KeyState);
    }

    /// <summary>Creates an IAM user <c>arn:aws:iam::ACCOUNT:user/NAME</c> with a fresh access key pair.</summary>
    /// <param name="userName">1 to 64 characters of <c>[A-Za-z0-9+=,.@_-]</c>; must be new.</param>
    /// <param name="allowedActions">E.g. <c>kms:Encrypt</c>, <c>sts:AssumeRole</c>, <c>kms:*</c>.</param>
    public AwsAccessKey CreateUser(string userName, IEnumerable<string> allowedActions) =>
        _account.AddUser(userName, allowedActions).Key;

    /// <summary>Replaces a user's allowed actions.</summary>
    public void SetUserActions(string userArn, IEnumerable<string> allowedActions)
    {
        var actions = new ActionSet(allowedActions);
        var user = _account.FindUserByArn(userArn);
        _account.Mutate(() => user.Actions = actions);
    }

    /// <summary>
    /// Creates a role trusted by <paramref name="trustedPrincipalArn"/> (a user or assumed-role ARN, or
    /// <c>arn:aws:iam::ACCOUNT:root</c> = any principal of the account allowed <c>sts:AssumeRole</c>), requiring
    /// <paramref name="requiredExternalId"/> when not <c>null</c>. Returns the role ARN.
    /// </summary>
    public string CreateRole(string roleName, string trustedPrincipalArn, string? requiredExternalId, IEnumerable<string> allowedActions) =>
        _account.AddRole(roleName, trustedPrincipalArn, requiredExternalId, allowedActions).Arn;

    /// <summary>Replaces a role's allowed actions; sessions already issued see the change on their next request.</summary>
    public void SetRoleActions(string roleArn, IEnumerable<string> allowedActions)
    {
        var actions = new ActionSet(allowedActions);
        var role = _account.GetRole(roleArn);
        _account.Mutate(() => role.Actions = actions);
    }

    /// <summary>The longest session AssumeRole grants for the role (AWS: 1 to 12 hours; default 1 hour).</summary>
    public void SetRoleMaxSessionDuration(string roleArn, TimeSpan maxSessionDuration)
    {
        if (maxSessionDuration < TimeSpan.FromHours(1) || maxSessionDuration > TimeSpan.FromHours(12))
        {
            throw new ArgumentOutOfRangeException(nameof(maxSessionDuration), maxSessionDuration, "a role's maximum session duration is 1 to 12 hours");
        }

        var role = _account.GetRole(roleArn);
        _account.Mutate(() => role.MaxSessionDuration = maxSessionDuration);
    }

    private Kms.KmsKey Find(string keyIdOrArn)
    {
        try
        {
            return new Kms.KmsOperations(_account).Resolve(keyIdOrArn);
        }
        catch (AwsException error)
        {
            throw new ArgumentException(error.AwsMessage ?? error.Code, nameof(keyIdOrArn));
        }
    }
}

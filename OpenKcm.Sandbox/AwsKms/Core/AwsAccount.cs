using OpenKcm.Sandbox.AwsKms.Kms;

namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>
/// Everything the emulator knows about its one account in its one region: IAM users and roles, STS sessions, KMS keys
/// and aliases. Every member takes the one lock, so requests and admin calls see consistent state.
/// </summary>
internal sealed class AwsAccount(string accountId, string region, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IamUser> _usersByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IamUser> _usersByArn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IamRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StsSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<KmsKey> _keys = [];
    private readonly Dictionary<string, KmsAlias> _aliases = new(StringComparer.Ordinal);

    public string AccountId { get; } = accountId;

    public string Region { get; } = region;

    public TimeProvider Time { get; } = time;

    public T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return action();
        }
    }

    public void Locked(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    // ---- IAM ----

    public IamUser AddUser(string userName, IEnumerable<string> allowedActions) => Locked(() =>
    {
        ValidateName(userName, "user name", 64);
        var arn = $"arn:aws:iam::{AccountId}:user/{userName}";
        if (_usersByArn.ContainsKey(arn))
        {
            throw new ArgumentException($"user {userName} already exists", nameof(userName));
        }

        var user = new IamUser(userName, arn, AwsIds.Id("AIDA"), new AwsAccessKey(AwsIds.Id("AKIA"), AwsIds.Secret()), allowedActions);
        _usersByArn[arn] = user;
        _usersByKey[user.Key.AccessKeyId] = user;
        return user;
    });

    public IamUser FindUserByArn(string arn) => Locked(() =>
        _usersByArn.GetValueOrDefault(arn) ?? throw new ArgumentException($"no user {arn}", nameof(arn)));

    public IamRole AddRole(string roleName, string trustedPrincipalArn, string? requiredExternalId, IEnumerable<string> allowedActions) =>
        Locked(() =>
        {
            ValidateName(roleName, "role name", 64);
            ArgumentException.ThrowIfNullOrWhiteSpace(trustedPrincipalArn);
            if (requiredExternalId is not null && !StsValidation.IsExternalId(requiredExternalId))
            {
                throw new ArgumentException("an external ID has 2 to 1224 characters of [\\w+=,.@:/-]", nameof(requiredExternalId));
            }

            var arn = $"arn:aws:iam::{AccountId}:role/{roleName}";
            if (_roles.ContainsKey(arn))
            {
                throw new ArgumentException($"role {roleName} already exists", nameof(roleName));
            }

            var role = new IamRole(roleName, arn, AwsIds.Id("AROA"), trustedPrincipalArn, requiredExternalId, allowedActions);
            _roles[arn] = role;
            return role;
        });

    public IamRole? FindRole(string arn) => Locked(() => _roles.GetValueOrDefault(arn));

    public IamRole GetRole(string arn) => FindRole(arn) ?? throw new ArgumentException($"no role {arn}", nameof(arn));

    public StsSession AddSession(IamRole role, string sessionName, TimeSpan duration) => Locked(() =>
    {
        var session = new StsSession(role, sessionName, new AwsAccessKey(AwsIds.Id("ASIA"), AwsIds.Secret()),
            AwsIds.SessionToken(), Time.GetUtcNow() + duration);
        _sessions[session.Key.AccessKeyId] = session;
        return session;
    });

    /// <summary>The user or session owning <paramref name="accessKeyId"/>; <c>null</c> when unknown.</summary>
    public (IamUser? User, StsSession? Session) FindAccessKey(string accessKeyId) => Locked(() =>
        (_usersByKey.GetValueOrDefault(accessKeyId), _sessions.GetValueOrDefault(accessKeyId)));

    // ---- KMS ----

    public KmsKey AddKey(string keyUsage, string keySpec, string keyState, string description, string? alias)
    {
        if (!KmsKey.KeyUsages.Contains(keyUsage))
        {
            throw new ArgumentException($"key usage must be one of {string.Join(", ", KmsKey.KeyUsages)}", nameof(keyUsage));
        }

        if (!KmsKey.KeySpecs.Contains(keySpec))
        {
            throw new ArgumentException($"key spec must be one of {string.Join(", ", KmsKey.KeySpecs)}", nameof(keySpec));
        }

        CheckKeyState(keyState);
        var keyId = Guid.NewGuid().ToString();
        var key = new KmsKey(keyId, KeyArn(keyId), AccountId, keyUsage, keySpec, keyState, description, Time.GetUtcNow());
        Locked(() =>
        {
            if (alias is not null)
            {
                AddAliasLocked(alias, key);
            }

            _keys.Add(key);
        });
        return key;
    }

    public void AddAlias(string aliasName, KmsKey key) => Locked(() => AddAliasLocked(aliasName, key));

    /// <summary>Keys in creation order; keys whose deletion date passed are gone (deleted lazily here).</summary>
    public IReadOnlyList<KmsKey> Keys() => Locked(() =>
    {
        PurgeDeletedLocked();
        return _keys.ToList();
    });

    public IReadOnlyList<KmsAlias> Aliases() => Locked(() =>
    {
        PurgeDeletedLocked();
        return _aliases.Values.OrderBy(a => a.AliasName, StringComparer.Ordinal).ToList();
    });

    public KmsKey? FindKey(string keyId) => Locked(() =>
    {
        PurgeDeletedLocked();
        return _keys.Find(k => k.KeyId == keyId);
    });

    public KmsKey? FindKeyByAlias(string aliasName) => Locked(() =>
    {
        PurgeDeletedLocked();
        return _aliases.TryGetValue(aliasName, out var alias) ? _keys.Find(k => k.KeyId == alias.TargetKeyId) : null;
    });

    public string KeyArn(string keyId) => $"arn:aws:kms:{Region}:{AccountId}:key/{keyId}";

    public string AliasArn(string aliasName) => $"arn:aws:kms:{Region}:{AccountId}:{aliasName}";

    public static void CheckKeyState(string keyState)
    {
        if (!KmsKey.KeyStates.Contains(keyState))
        {
            throw new ArgumentException($"key state must be one of {string.Join(", ", KmsKey.KeyStates)}", nameof(keyState));
        }
    }

    public void Dispose() => Locked(() =>
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    });

    private void AddAliasLocked(string aliasName, KmsKey key)
    {
        if (!KmsValidation.IsAliasName(aliasName))
        {
            throw new AwsException(400, "ValidationException",
                $"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$");
        }

        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            throw new AwsException(400, "NotAuthorizedException", "Cannot create an alias with the reserved prefix alias/aws/.");
        }

        if (_aliases.ContainsKey(aliasName))
        {
            throw new AwsException(400, "AlreadyExistsException", $"An alias with the name {AliasArn(aliasName)} already exists");
        }

        _aliases[aliasName] = new KmsAlias(aliasName, AliasArn(aliasName), key.KeyId, Time.GetUtcNow());
    }

    private void PurgeDeletedLocked()
    {
        var now = Time.GetUtcNow();
        foreach (var key in _keys.Where(k => k.KeyState == "PendingDeletion" && k.DeletionDate <= now).ToList())
        {
            _keys.Remove(key);
            foreach (var alias in _aliases.Values.Where(a => a.TargetKeyId == key.KeyId).ToList())
            {
                _aliases.Remove(alias.AliasName);
            }

            key.Dispose();
        }
    }

    private static void ValidateName(string name, string what, int maxLength)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c)))
        {
            throw new ArgumentException($"a {what} has 1 to {maxLength} characters of [A-Za-z0-9+=,.@_-]", nameof(name));
        }
    }
}

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

    /// <summary>Called under the lock after every change worth keeping (not STS sessions): the state file's save.</summary>
    public Action<AwsAccount>? AfterChange { get; set; }

    /// <summary>Runs a change under the lock, then <see cref="AfterChange"/>.</summary>
    public T Mutate<T>(Func<T> change)
    {
        lock (_gate)
        {
            var result = change();
            AfterChange?.Invoke(this);
            return result;
        }
    }

    public void Mutate(Action change) => Mutate(() =>
    {
        change();
        return true;
    });

    // ---- IAM ----

    public IamUser AddUser(string userName, IEnumerable<string> allowedActions) => Mutate(() =>
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
        Mutate(() =>
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
        try
        {
            Mutate(() =>
            {
                if (alias is not null)
                {
                    AddAliasLocked(alias, key);
                }

                _keys.Add(key);
            });
        }
        catch
        {
            key.Dispose();
            throw;
        }

        return key;
    }

    public void AddAlias(string aliasName, KmsKey key) => Mutate(() => AddAliasLocked(aliasName, key));

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

    /// <summary>Everything worth keeping, for the state file. Call under the lock (from <see cref="AfterChange"/>) or via <see cref="Locked{T}"/>.</summary>
    public State.AwsState Capture(int port, string seedKeyId) => Locked(() => new State.AwsState(
        State.AwsState.CurrentFormat, port, AccountId, Region, seedKeyId,
        _usersByArn.Values.Select(u => new State.IamUserState(u.Name, u.UserId, u.Key.AccessKeyId, u.Key.SecretAccessKey, u.Actions.Items.ToList())).ToList(),
        _roles.Values.Select(r => new State.IamRoleState(r.Name, r.RoleId, r.TrustedPrincipalArn, r.RequiredExternalId, r.Actions.Items.ToList(),
            (int)r.MaxSessionDuration.TotalSeconds)).ToList(),
        _keys.Select(k => new State.KmsKeyState(k.KeyId, k.KeyUsage, k.KeySpec, k.KeyState, k.Origin, k.Description,
            k.CreationDate.ToUnixTimeMilliseconds(), k.DeletionDate?.ToUnixTimeMilliseconds(), k.PendingWindowInDays,
            k.Material is null ? null : Convert.ToBase64String(k.Material),
            k.Rsa is null ? null : Convert.ToBase64String(k.Rsa.ExportPkcs8PrivateKey()))).ToList(),
        _aliases.Values.Select(a => new State.KmsAliasState(a.AliasName, a.TargetKeyId, a.CreationDate.ToUnixTimeMilliseconds())).ToList()));

    /// <summary>An account rebuilt from the state file.</summary>
    /// <exception cref="InvalidDataException">The state is not one this emulator wrote (says where, never a value).</exception>
    public static AwsAccount Restore(State.AwsState state, TimeProvider time)
    {
        if (state.Format != State.AwsState.CurrentFormat)
        {
            throw new InvalidDataException($"format {state.Format} is not {State.AwsState.CurrentFormat}");
        }

        var account = new AwsAccount(state.AccountId, state.Region, time);
        try
        {
            foreach (var u in state.Users)
            {
                var user = new IamUser(u.Name, $"arn:aws:iam::{state.AccountId}:user/{u.Name}", u.UserId,
                    new AwsAccessKey(u.AccessKeyId, u.SecretAccessKey), u.Actions);
                account._usersByArn.Add(user.Arn, user);
                account._usersByKey.Add(user.Key.AccessKeyId, user);
            }

            foreach (var r in state.Roles)
            {
                var role = new IamRole(r.Name, $"arn:aws:iam::{state.AccountId}:role/{r.Name}", r.RoleId, r.TrustedPrincipalArn,
                    r.RequiredExternalId, r.Actions) { MaxSessionDuration = TimeSpan.FromSeconds(r.MaxSessionSeconds) };
                account._roles.Add(role.Arn, role);
            }

            foreach (var k in state.Keys)
            {
                if (!KmsKey.KeyUsages.Contains(k.KeyUsage) || !KmsKey.KeySpecs.Contains(k.KeySpec) || !KmsKey.KeyStates.Contains(k.KeyState))
                {
                    throw new InvalidDataException($"key {k.KeyId} has an unknown usage, spec or state");
                }

                var material = k.Material is null ? null : Convert.FromBase64String(k.Material);
                if (k.KeySpec.StartsWith("RSA_", StringComparison.Ordinal) ? k.RsaPkcs8 is null : material is not { Length: 32 })
                {
                    throw new InvalidDataException($"key {k.KeyId} lacks its key material or it has the wrong length");
                }

                account._keys.Add(new KmsKey(k.KeyId, account.KeyArn(k.KeyId), state.AccountId, k.KeyUsage, k.KeySpec, k.KeyState,
                    k.Description, DateTimeOffset.FromUnixTimeMilliseconds(k.CreationDate), k.Origin, material,
                    k.RsaPkcs8 is null ? null : Convert.FromBase64String(k.RsaPkcs8))
                {
                    DeletionDate = k.DeletionDate is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
                    PendingWindowInDays = k.PendingWindowInDays,
                });
            }

            foreach (var a in state.Aliases)
            {
                if (account._keys.Find(k => k.KeyId == a.TargetKeyId) is null)
                {
                    throw new InvalidDataException($"alias {a.AliasName} points to a key that is not in the file");
                }

                account._aliases.Add(a.AliasName, new KmsAlias(a.AliasName, account.AliasArn(a.AliasName), a.TargetKeyId,
                    DateTimeOffset.FromUnixTimeMilliseconds(a.CreationDate)));
            }

            return account;
        }
        catch
        {
            account.Dispose();
            throw;
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
        var expired = _keys.Where(k => k.KeyState == "PendingDeletion" && k.DeletionDate <= now).ToList();
        foreach (var key in expired)
        {
            _keys.Remove(key);
            foreach (var alias in _aliases.Values.Where(a => a.TargetKeyId == key.KeyId).ToList())
            {
                _aliases.Remove(alias.AliasName);
            }

            // Not disposed: a request may still be using its RSA key; its safe handle is released when collected.
        }

        if (expired.Count > 0)
        {
            AfterChange?.Invoke(this);
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

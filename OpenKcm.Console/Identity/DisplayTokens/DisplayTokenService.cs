using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Data;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// Creates, lists, revokes and checks read-only display tokens for NOC wall screens and programs reading
/// <c>/hubs/health</c>. Tokens are <c>okd_</c> + 32 random bytes (base64url) and are stored only as SHA-256.
/// </summary>
/// <remarks>
/// <para>Singleton, thread-safe. Every request and hub stream re-checks its token through <see cref="ValidateAsync"/>
/// or <see cref="FindActiveAsync"/>; answers are cached for <see cref="CacheDuration"/> so 500 hub connections on
/// one token cost one database read per interval, and concurrent reads of one token are shared (no lock across
/// tokens). Token texts that match no row are refused without a read for <see cref="UnknownCacheDuration"/>. A
/// revocation in this process clears the cache at once and raises <see cref="Revoked"/>, which open hub streams and
/// NOC pages listen to.</para>
/// <para>Validity is decided from a read only. Recording a use (last used, first use per day) happens in the
/// background and is best-effort: a failed write is logged, never signs a wall screen out.</para>
/// <para>Audited (Core <see cref="AuditLog"/>): create, revoke, and the first use of a token per UTC day. Never the token.</para>
/// </remarks>
public sealed class DisplayTokenService(IServiceScopeFactory scopes, AuditLog audit, TimeProvider time, ILogger<DisplayTokenService> logger) : IDisposable
{
    public const string Prefix = "okd_";

    /// <summary>Longest lifetime an administrator may give a token.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    /// <summary>How long a validation answer is reused (a revocation in another console instance takes this long).</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    /// <summary>How long a token text found in no row is refused without a database read.</summary>
    public static readonly TimeSpan UnknownCacheDuration = TimeSpan.FromSeconds(30);

    /// <summary>Most unknown token hashes remembered at once; beyond it they are forgotten, never grown.</summary>
    public const int MaxUnknownCached = 4096;

    public const int MaxNameLength = 100;

    private const int TokenBytes = 32;

    // base64url of 32 bytes without padding.
    private const int TokenLength = 4 + 43;

    private static readonly TimeSpan s_lastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, CacheEntry> _byHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, CacheEntry> _byId = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<DisplayTokenInfo?>>> _lookups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Task> _recording = new();
    private readonly ConcurrentDictionary<Guid, DateOnly> _auditedDay = new();

    // Incremented by every revocation in this process.
    private long _generation;

    /// <summary>
    /// Raised (synchronously, on the revoking thread) after a token is revoked in this process. Handlers must
    /// return fast and not throw.
    /// </summary>
    public event Action<Guid>? Revoked;

    /// <summary>Nothing to release; kept so the container's disposal contract does not change.</summary>
    public void Dispose()
    {
    }

    /// <summary>Creates a token valid until <paramref name="expiresAt"/> (after now, at most <see cref="MaxLifetime"/> ahead).</summary>
    /// <returns>The token (shown once), or an error for people when the name or expiry is not acceptable.</returns>
    public async Task<(DisplayTokenCreated? Created, string? Error)> CreateAsync(string name, DateTimeOffset expiresAt, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        name = name?.Trim() ?? "";
        if (name.Length == 0)
        {
            return (null, "Give the token a name (for example the wall screen it is for).");
        }

        if (name.Length > MaxNameLength)
        {
            return (null, $"The name may have at most {MaxNameLength} characters.");
        }

        if (expiresAt <= now)
        {
            return (null, "The expiry must be in the future.");
        }

        if (expiresAt > now + MaxLifetime)
        {
            return (null, "A display token may last at most one year.");
        }

        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));
        var entity = new DisplayToken
        {
            Id = Guid.NewGuid(),
            Name = name,
            TokenHash = Hash(token),
            CreatedById = actor.Id,
            CreatedByName = actor.Name,
            CreatedAt = now,
            ExpiresAt = expiresAt.ToUniversalTime(),
        };

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
            db.DisplayTokens.Add(entity);
            await db.SaveChangesAsync(cancellationToken);
        }

        _unknown.TryRemove(entity.TokenHash, out _);
        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.DisplayTokenCreate,
            Actor = actor,
            Outcome = AuditOutcome.Success,
            Detail = $"display token '{name}' ({entity.Id}) expires {entity.ExpiresAt:yyyy-MM-dd HH:mm} UTC",
        }, cancellationToken);
        return (new DisplayTokenCreated(DisplayTokenInfo.From(entity), token), null);
    }

    /// <summary>All tokens, newest first, revoked and expired ones included.</summary>
    public async Task<IReadOnlyList<DisplayTokenInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
        var all = await db.DisplayTokens.AsNoTracking().ToListAsync(cancellationToken);
        return [.. all.OrderByDescending(t => t.CreatedAt).Select(DisplayTokenInfo.From)];
    }

    /// <summary>Revokes a token; false when it does not exist or was already revoked.</summary>
    public async Task<bool> RevokeAsync(Guid id, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        DisplayToken? entity;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
            entity = await db.DisplayTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
            if (entity is null || entity.RevokedAt is not null)
            {
                return false;
            }

            entity.RevokedAt = time.GetUtcNow();
            entity.RevokedByName = actor.Name;
            await db.SaveChangesAsync(cancellationToken);
        }

        // Reads started before the revocation may not cache (or hand out to later callers) their "active" answer.
        Interlocked.Increment(ref _generation);
        _lookups.Clear();
        _byHash.Clear();
        _byId.Clear();
        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.DisplayTokenRevoke,
            Actor = actor,
            Outcome = AuditOutcome.Success,
            Detail = $"display token '{entity.Name}' ({entity.Id})",
        }, cancellationToken);

        try
        {
            Revoked?.Invoke(id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A display-token revocation handler failed.");
        }

        return true;
    }

    /// <summary>
    /// The active token whose text is <paramref name="token"/>; null when the text is malformed, unknown, revoked or
    /// expired. Validity comes from a read only; the use is recorded in the background (see <see cref="RecordUse"/>),
    /// so a failing or locked database write never turns a valid token away.
    /// </summary>
    /// <exception cref="Exception">Only when the database cannot be read.</exception>
    public async Task<DisplayTokenInfo?> ValidateAsync(string? token, CancellationToken cancellationToken)
    {
        if (!LooksLikeToken(token))
        {
            return null;
        }

        var hash = Hash(token!);
        var now = time.GetUtcNow();
        if (_byHash.TryGetValue(hash, out var cached) && now - cached.FetchedAt < CacheDuration)
        {
            return Active(cached.Token, now);
        }

        if (_unknown.TryGetValue(hash, out var refusedAt) && now - refusedAt < UnknownCacheDuration)
        {
            return null;
        }

        var info = await LookUpAsync("h:" + hash, t => t.TokenHash == hash, cancellationToken);
        if (info is null)
        {
            RememberUnknown(hash, now);
        }

        return Active(info, now);
    }

    /// <summary>The active token with <paramref name="id"/> (a display cookie's token); null when revoked, expired or unknown.</summary>
    public async Task<DisplayTokenInfo?> FindActiveAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_byId.TryGetValue(id, out var cached) && now - cached.FetchedAt < CacheDuration)
        {
            return Active(cached.Token, now);
        }

        var info = await LookUpAsync("i:" + id.ToString("N"), t => t.Id == id, cancellationToken);
        return Active(info, now);
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 token text.</summary>
    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Shape check before any hashing or database read: prefix, length, base64url alphabet.</summary>
    internal static bool LooksLikeToken(string? token) =>
        token is { Length: TokenLength }
        && token.StartsWith(Prefix, StringComparison.Ordinal)
        && token.AsSpan(Prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    /// <summary>Completes when no use is being recorded (tests wait on it instead of sleeping).</summary>
    internal Task UseRecordedAsync() => Task.WhenAll(_recording.Values);

    /// <summary>Unknown token hashes remembered now (bounded by <see cref="MaxUnknownCached"/>).</summary>
    internal int UnknownCachedCount => _unknown.Count;

    private static DisplayTokenInfo? Active(DisplayTokenInfo? info, DateTimeOffset now) =>
        info is not null && info.StateAt(now) == DisplayTokenState.Active ? info : null;

    private void RememberUnknown(string hash, DateTimeOffset now)
    {
        if (_unknown.Count >= MaxUnknownCached)
        {
            foreach (var (key, at) in _unknown)
            {
                if (now - at >= UnknownCacheDuration)
                {
                    _unknown.TryRemove(key, out _);
                }
            }

            if (_unknown.Count >= MaxUnknownCached)
            {
                // A flood of distinct unknown tokens: forget them all rather than grow; the next ones are read again.
                _unknown.Clear();
            }
        }

        _unknown[hash] = now;
    }

    /// <summary>
    /// One database read per key at a time: concurrent first requests of 500 hub connections on one token share a
    /// read; lookups of different tokens do not wait for each other.
    /// </summary>
    private async Task<DisplayTokenInfo?> LookUpAsync(
        string key, System.Linq.Expressions.Expression<Func<DisplayToken, bool>> match, CancellationToken cancellationToken)
    {
        var lookup = _lookups.GetOrAdd(key, _ => new Lazy<Task<DisplayTokenInfo?>>(() => ReadAsync(match)));
        try
        {
            return await lookup.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lookup.Value.IsCompleted)
            {
                _lookups.TryRemove(KeyValuePair.Create(key, lookup));
            }
        }
    }

    private async Task<DisplayTokenInfo?> ReadAsync(System.Linq.Expressions.Expression<Func<DisplayToken, bool>> match)
    {
        // Shared by every waiter: not cancelled by any one of them.
        await Task.Yield();
        var generation = Volatile.Read(ref _generation);
        DisplayToken? entity;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
            entity = await db.DisplayTokens.AsNoTracking().SingleOrDefaultAsync(match, CancellationToken.None);
        }

        if (entity is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var info = DisplayTokenInfo.From(entity);
        if (generation == Volatile.Read(ref _generation))
        {
            var entry = new CacheEntry(info, now);
            _byHash[entity.TokenHash] = entry;
            _byId[entity.Id] = entry;
        }

        if (info.StateAt(now) == DisplayTokenState.Active && UseIsDue(info, now))
        {
            RecordUse(info.Id);
        }

        return info;
    }

    private bool UseIsDue(DisplayTokenInfo info, DateTimeOffset now) =>
        info.LastUsedAt is not { } last
        || (UtcDay(last) != UtcDay(now) && !AuditedOn(info.Id, UtcDay(now)))
        || now - last >= s_lastUsedResolution;

    private bool AuditedOn(Guid id, DateOnly day) => _auditedDay.TryGetValue(id, out var audited) && audited == day;

    private static DateOnly UtcDay(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>
    /// Records a use in the background, at most one at a time per token: the first use of a UTC day is audited, then
    /// <see cref="DisplayToken.LastUsedAt"/> is written (audit first, as Core's audited commits: the day counts as used
    /// only once its entry is durable). Failures are logged and retried on a later use; validation never waits for them.
    /// </summary>
    private void RecordUse(Guid id)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_recording.TryAdd(id, done.Task))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RecordUseAsync(id);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Recording the use of display token {TokenId} failed; the token stays valid and the use is recorded on a later request.", id);
            }
            finally
            {
                _recording.TryRemove(id, out _);
                done.SetResult();
            }
        });
    }

    private async Task RecordUseAsync(Guid id)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
        var entity = await db.DisplayTokens.SingleOrDefaultAsync(t => t.Id == id, CancellationToken.None);
        var now = time.GetUtcNow();
        if (entity is null || DisplayTokenInfo.From(entity).StateAt(now) != DisplayTokenState.Active)
        {
            return;
        }

        var today = UtcDay(now);
        var markedToday = entity.LastUsedAt is { } last && UtcDay(last) == today;
        if (markedToday && now - entity.LastUsedAt < s_lastUsedResolution)
        {
            return;
        }

        if (!markedToday && !AuditedOn(id, today))
        {
            var info = DisplayTokenInfo.From(entity);
            await audit.AppendAsync(new AuditRecord
            {
                Action = AuditActions.DisplayTokenUse,
                Actor = ActorOf(info),
                Outcome = AuditOutcome.Success,
                Detail = $"first use on {now:yyyy-MM-dd} (UTC) of display token '{info.Name}'",
            }, CancellationToken.None);

            // Should the write below fail, the next attempt in this process does not audit the day twice.
            _auditedDay[id] = today;
        }

        entity.LastUsedAt = now;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The audit actor of a display session: the token, by id and name.</summary>
    public static Actor ActorOf(DisplayTokenInfo token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new Actor(DisplayPrincipal.IdPrefix + token.Id.ToString("D"), $"display token '{token.Name}'");
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record CacheEntry(DisplayTokenInfo? Token, DateTimeOffset FetchedAt);
}

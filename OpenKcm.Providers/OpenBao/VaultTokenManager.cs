using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Keeps a connection's token valid: logs in with AppRole, renews (renew-self) once less than a third of the login
/// lease remains, and logs in again when renewing cannot help (not renewable, max TTL reached, renewal refused,
/// token expired) or when an operation was denied with a token that may have been revoked.
/// </summary>
/// <remarks>
/// Thread-safe: reading the current lease is lock-free; login and renewal run under one <see cref="SemaphoreSlim"/>,
/// and a caller that waited re-checks whether another caller already refreshed. Time comes from the injected
/// <see cref="TimeProvider"/>, so tests drive expiry with a manual clock.
/// </remarks>
internal sealed class VaultTokenManager : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly VaultClient _client;
    private readonly string _roleId;
    private readonly Func<CancellationToken, Task<SecretValue>> _secretId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile TokenLease? _current;
    private int _logins;
    private int _renewals;

    public VaultTokenManager(
        VaultClient client, string roleId, Func<CancellationToken, Task<SecretValue>> secretId, TimeProvider time, ILogger logger)
    {
        _client = client;
        _roleId = roleId;
        _secretId = secretId;
        _time = time;
        _logger = logger;
    }

    public TokenLease? Current => _current;

    /// <summary>Number of AppRole logins so far (for tests and diagnostics).</summary>
    public int Logins => Volatile.Read(ref _logins);

    /// <summary>Number of successful renewals so far.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>A lease that is valid now, refreshing it first when it is due.</summary>
    public async ValueTask<TokenLease> GetAsync(CancellationToken cancellationToken)
    {
        var lease = _current;
        if (lease is not null && !lease.NeedsRefresh(_time.GetUtcNow()))
        {
            return lease;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lease = _current;
            var now = _time.GetUtcNow();
            if (lease is not null && !lease.NeedsRefresh(now))
            {
                return lease;
            }

            if (lease is not null && lease.Renewable && !lease.IsExpired(now))
            {
                try
                {
                    if (await RenewAsync(lease, cancellationToken).ConfigureAwait(false) is { } renewed)
                    {
                        return _current = renewed;
                    }
                }
                catch (KeystoreException ex) when (ex.IsRetryable && !lease.IsExpired(now))
                {
                    // Transient: the token is still valid; use it and try renewing again at the next operation.
                    _logger.LogWarning("OpenBao token renewal failed ({Kind}); the token stays valid until {ExpiresAt}.",
                        ex.Kind, lease.ExpiresAt);
                    return lease;
                }
                catch (KeystoreException ex) when (!ex.IsRetryable)
                {
                    _logger.LogInformation("OpenBao refused to renew the token ({Kind}); logging in again.", ex.Kind);
                }
            }

            try
            {
                return _current = await LoginAsync(afterDenial: false, cancellationToken).ConfigureAwait(false);
            }
            catch (KeystoreException ex) when (ex.IsRetryable && lease is not null && !lease.IsExpired(now))
            {
                // The planned re-login hit a transient failure, but the current token is still valid: keep using it.
                _logger.LogWarning("OpenBao login failed ({Kind}); the current token stays valid until {ExpiresAt}.",
                    ex.Kind, lease.ExpiresAt);
                return lease;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// After an operation with <paramref name="denied"/> got 403: logs in again (unless another caller already
    /// replaced that lease) and returns the lease to retry with.
    /// </summary>
    public async Task<TokenLease> ReloginAfterDenialAsync(TokenLease denied, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } current && !ReferenceEquals(current, denied))
            {
                return current;
            }

            _logger.LogInformation("OpenBao denied an operation; logging in again in case the token expired or was revoked.");
            return _current = await LoginAsync(afterDenial: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<TokenLease?> RenewAsync(TokenLease lease, CancellationToken cancellationToken)
    {
        var sentAt = _time.GetUtcNow();
        var auth = await _client.RenewSelfAsync(lease.Token, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _renewals);

        // Near the max TTL OpenBao caps the renewed lease. Once it no longer reaches past the renewal window,
        // renewing again would not help: log in for a fresh token instead.
        if (auth.LeaseDuration <= lease.RenewWindow)
        {
            _logger.LogInformation("OpenBao token reached its maximum TTL; logging in again.");
            return null;
        }

        _logger.LogDebug("OpenBao token renewed for {Lease}.", auth.LeaseDuration);
        return new TokenLease
        {
            Token = lease.Token,
            ObtainedAt = sentAt,
            Lease = auth.LeaseDuration,
            Renewable = auth.Renewable,
            RenewWindow = lease.RenewWindow,
            Policies = auth.Policies.IsDefaultOrEmpty ? lease.Policies : auth.Policies,
        };
    }

    private async Task<TokenLease> LoginAsync(bool afterDenial, CancellationToken cancellationToken)
    {
        var sentAt = _time.GetUtcNow();
        using var secretId = await _secretId(cancellationToken).ConfigureAwait(false);
        var auth = await _client.LoginAppRoleAsync(_roleId, secretId, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _logins);
        _logger.LogDebug("Logged in to OpenBao with AppRole; token lease {Lease}, renewable {Renewable}.",
            auth.LeaseDuration, auth.Renewable);
        return new TokenLease
        {
            Token = auth.ClientToken,
            ObtainedAt = sentAt,
            Lease = auth.LeaseDuration,
            Renewable = auth.Renewable,
            RenewWindow = auth.LeaseDuration / 3,
            Policies = auth.Policies,
            IssuedAfterDenial = afterDenial,
        };
    }
}

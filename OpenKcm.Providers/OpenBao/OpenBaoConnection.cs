using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// A logged-in connection to one OpenBao keystore version: wrap = transit encrypt, unwrap = transit decrypt.
/// Thread-safe: operations run concurrently over the pooled handler; token refresh is serialized by
/// <see cref="VaultTokenManager"/>. The owner disposes it; disposing does not close the pooled handler.
/// </summary>
internal sealed class OpenBaoConnection : IKeystoreConnection
{
    private const string CiphertextPrefix = "vault:v";

    private static readonly byte[] s_probeAssociatedData = "openkcm-health-probe"u8.ToArray();

    private readonly VaultClient _client;
    private readonly VaultTokenManager _tokens;
    private readonly OpenBaoConfiguration _configuration;
    private int _disposed;

    public OpenBaoConnection(VaultClient client, VaultTokenManager tokens, OpenBaoConfiguration configuration)
    {
        _client = client;
        _tokens = tokens;
        _configuration = configuration;
    }

    internal VaultTokenManager Tokens => _tokens;

    public async Task<byte[]> WrapAsync(
        ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        var ciphertext = await ExecuteAsync(
            (token, ct) => _client.EncryptAsync(token, _configuration.MountPath, _configuration.KeyName, plaintext, associatedData, ct),
            cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetBytes(ciphertext);
    }

    public async Task<byte[]> UnwrapAsync(
        ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        string ciphertext;
        try
        {
            ciphertext = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(wrapped.Span);
        }
        catch (DecoderFallbackException)
        {
            ciphertext = "";
        }

        if (!ciphertext.StartsWith(CiphertextPrefix, StringComparison.Ordinal))
        {
            // E.g. a value wrapped by another keystore reaching this one after a failover: no key here can open it.
            throw new KeystoreException(KeystoreErrorKind.KeyNotFound,
                "The wrapped value is not an OpenBao transit ciphertext (vault:vN:...): it was wrapped by another keystore or is damaged.");
        }

        return await ExecuteAsync(
            (token, ct) => _client.DecryptAsync(token, _configuration.MountPath, _configuration.KeyName, ciphertext, associatedData, ct),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(16);
        var wrapped = await WrapAsync(value, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        var back = await UnwrapAsync(wrapped, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"OpenBao decrypted the probe value with {_configuration.KeyPath} to something else than was encrypted.");
        }
    }

    public async Task<JsonObject> DescribeAsync(CancellationToken cancellationToken)
    {
        var health = await _client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        if (!health.Initialized || health.Sealed)
        {
            throw new KeystoreException(KeystoreErrorKind.Unavailable,
                health.Sealed ? "OpenBao is sealed." : "OpenBao is not initialized.") { VendorCode = $"{health.StatusCode}" };
        }

        var key = await ExecuteAsync(
            (token, ct) => _client.ReadKeyAsync(token, _configuration.MountPath, _configuration.KeyName, ct),
            cancellationToken).ConfigureAwait(false);
        var lease = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["plugin_status"] = "active",
            ["vault_version"] = health.Version ?? "unknown",
            ["auth_status"] = "authenticated",

            // The policies the token actually carries (more useful than "verified": shows a stray 'default' or 'root').
            ["policies_applied"] = lease.Policies.IsDefaultOrEmpty ? "none" : string.Join(", ", lease.Policies),
            ["transit_engine"] = "enabled",
            ["transit_key"] = $"{_configuration.KeyPath} ({key.Type}, version {key.LatestVersion})",
        };
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _tokens.Dispose();
            _client.Dispose();
            _configuration.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<T> ExecuteAsync<T>(Func<string, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var lease = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation(lease.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (KeystoreException ex) when (ex.Kind == KeystoreErrorKind.PermissionDenied && !lease.ConfirmedDenied)
        {
            // OpenBao answers an expired or revoked token with the same 403 as a missing capability: log in again and
            // retry once. If a fresh token is denied too, the policy is the cause and the 403 stands.
            var fresh = await _tokens.ReloginAfterDenialAsync(lease, cancellationToken).ConfigureAwait(false);
            try
            {
                return await operation(fresh.Token, cancellationToken).ConfigureAwait(false);
            }
            catch (KeystoreException again) when (again.Kind == KeystoreErrorKind.PermissionDenied)
            {
                fresh.ConfirmedDenied = true;
                throw;
            }
        }
    }
}

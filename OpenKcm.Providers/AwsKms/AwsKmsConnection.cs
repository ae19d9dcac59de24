using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// An authenticated connection to one AWS KMS keystore version: wrap = KMS Encrypt, unwrap = KMS Decrypt under the L1
/// key, with the associated data bound as the encryption context entry <c>openkcm:aad</c> (base64). Thread-safe:
/// operations run concurrently over one pooled KMS client; the assumed-role session is refreshed by
/// <see cref="AwsSessionCache"/>. The owner disposes it; disposing does not close the plugin's pooled handler.
/// </summary>
internal sealed class AwsKmsConnection : IKeystoreConnection
{
    /// <summary>The encryption context key that carries the associated data.</summary>
    public const string AssociatedDataContextKey = "openkcm:aad";

    private static readonly byte[] s_probeAssociatedData = "openkcm-health-probe"u8.ToArray();

    private readonly AwsKmsConfiguration _configuration;
    private readonly AwsKmsClient _kms;
    private readonly AwsSessionCache _sessions;
    private int _disposed;

    public AwsKmsConnection(AwsKmsConfiguration configuration, AwsKmsClient kms, AwsSessionCache sessions)
    {
        _configuration = configuration;
        _kms = kms;
        _sessions = sessions;
    }

    internal AwsSessionCache Sessions => _sessions;

    /// <summary>The encryption context for <paramref name="associatedData"/> (none for empty associated data).</summary>
    public static Dictionary<string, string> Context(ReadOnlySpan<byte> associatedData) =>
        associatedData.IsEmpty
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal) { [AssociatedDataContextKey] = Convert.ToBase64String(associatedData) };

    public async Task<byte[]> WrapAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (ciphertext, _) = await _kms.EncryptAsync(plaintext, Context(associatedData.Span), cancellationToken).ConfigureAwait(false);
        return ciphertext;
    }

    public async Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (wrapped.IsEmpty)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse, "The wrapped value is empty: it is not a KMS ciphertext.");
        }

        return await _kms.DecryptAsync(wrapped, Context(associatedData.Span), cancellationToken).ConfigureAwait(false);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(16);
        var wrapped = await WrapAsync(value, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        var back = await UnwrapAsync(wrapped, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"KMS decrypted the probe value with {_configuration.Key.Value} to something else than was encrypted.");
        }
    }

    public async Task<JsonObject> DescribeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var key = await _kms.DescribeKeyAsync(cancellationToken).ConfigureAwait(false);
        var session = await _sessions.GetAsync(cancellationToken).ConfigureAwait(false);
        var ready = key.KeyState?.Value == KeyState.Enabled.Value
            && key.KeyUsage?.Value == KeyUsageType.ENCRYPT_DECRYPT.Value
            && key.KeySpec?.Value == KeySpec.SYMMETRIC_DEFAULT.Value;
        return new JsonObject
        {
            ["status"] = "connection_successful",
            ["plugin_status"] = ready ? "active" : "degraded",
            ["l1_key_location"] = key.Arn ?? _configuration.Key.Value,
            ["key_operations_ready"] = ready,
            ["key_state"] = key.KeyState?.Value ?? "unknown",
            ["key_spec"] = key.KeySpec?.Value ?? "unknown",
            ["key_usage"] = key.KeyUsage?.Value ?? "unknown",
            ["region"] = _configuration.Region.Name,
            ["assumed_role_arn"] = session.AssumedRoleArn,
            ["session_expires_at"] = session.Expiration.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _kms.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}

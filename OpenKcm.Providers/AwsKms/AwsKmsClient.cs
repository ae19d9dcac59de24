using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// The four KMS calls the plugin makes, with the assumed-role session: DescribeKey, Encrypt, Decrypt and
/// GenerateDataKey, always with <c>KeyId</c> = the configured <c>kms_key_id</c> as entered. One pooled SDK client;
/// thread-safe; the owner disposes it. Key material the client holds (the copy of an Encrypt plaintext, the SDK's
/// response buffers of Decrypt and GenerateDataKey) is zeroed before the call returns; the SDK's own base64 strings
/// of the request and response bodies cannot be, and are left to the garbage collector.
/// </summary>
internal sealed class AwsKmsClient : IDisposable
{
    private readonly AwsKmsConfiguration _configuration;
    private readonly AwsSessionCache _sessions;
    private readonly AwsCallRunner _runner;
    private readonly AmazonKeyManagementServiceClient _client;

    public AwsKmsClient(AwsKmsConfiguration configuration, AwsKmsOptions options, AwsHttpHandlerPool pool, AwsSessionCache sessions, AwsCallRunner runner)
    {
        _configuration = configuration;
        _sessions = sessions;
        _runner = runner;
        _client = new AmazonKeyManagementServiceClient(new AwsSessionCredentials(sessions), AwsClientConfigs.Kms(configuration, options, pool));
    }

    public Task<KeyMetadata> DescribeKeyAsync(CancellationToken cancellationToken) =>
        RunAsync(AwsOperation.DescribeKey, async ct =>
        {
            var response = await _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _configuration.Key.Value }, ct).ConfigureAwait(false);
            return response.KeyMetadata ?? throw Invalid(AwsOperation.DescribeKey, "KeyMetadata");
        }, cancellationToken);

    /// <summary>Encrypts under the L1 key; returns the ciphertext blob and the key ARN KMS used.</summary>
    public Task<(byte[] Ciphertext, string KeyArn)> EncryptAsync(
        ReadOnlyMemory<byte> plaintext, Dictionary<string, string> context, CancellationToken cancellationToken) =>
        RunAsync(AwsOperation.Encrypt, async ct =>
        {
            var copy = plaintext.ToArray();
            try
            {
                using var stream = new MemoryStream(copy);
                var response = await _client.EncryptAsync(new EncryptRequest
                {
                    KeyId = _configuration.Key.Value,
                    Plaintext = stream,
                    EncryptionContext = context,
                }, ct).ConfigureAwait(false);
                var blob = response.CiphertextBlob?.ToArray() ?? throw Invalid(AwsOperation.Encrypt, "CiphertextBlob");
                return (blob, response.KeyId ?? "");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(copy);
            }
        }, cancellationToken);

    public Task<byte[]> DecryptAsync(ReadOnlyMemory<byte> ciphertext, Dictionary<string, string> context, CancellationToken cancellationToken) =>
        RunAsync(AwsOperation.Decrypt, async ct =>
        {
            using var stream = new MemoryStream(ciphertext.ToArray());
            var response = await _client.DecryptAsync(new DecryptRequest
            {
                // Naming the key makes KMS refuse a ciphertext of another key (and lets kms:RequestAlias match).
                KeyId = _configuration.Key.Value,
                CiphertextBlob = stream,
                EncryptionContext = context,
            }, ct).ConfigureAwait(false);
            try
            {
                return response.Plaintext?.ToArray() ?? throw Invalid(AwsOperation.Decrypt, "Plaintext");
            }
            finally
            {
                Wipe(response.Plaintext);
            }
        }, cancellationToken);

    /// <summary>GenerateDataKey AES_256; returns the plaintext length and the encrypted copy's length (the plaintext is zeroed).</summary>
    public Task<(int PlaintextLength, int CiphertextLength)> GenerateDataKeyAsync(Dictionary<string, string> context, CancellationToken cancellationToken) =>
        RunAsync(AwsOperation.GenerateDataKey, async ct =>
        {
            var response = await _client.GenerateDataKeyAsync(new GenerateDataKeyRequest
            {
                KeyId = _configuration.Key.Value,
                KeySpec = DataKeySpec.AES_256,
                EncryptionContext = context,
            }, ct).ConfigureAwait(false);
            var length = (int)(response.Plaintext?.Length ?? throw Invalid(AwsOperation.GenerateDataKey, "Plaintext"));
            Wipe(response.Plaintext);
            return (length, (int)(response.CiphertextBlob?.Length ?? 0));
        }, cancellationToken);

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Overwrites the whole content of <paramref name="stream"/> with zeros: through its buffer when exposed, else by
    /// writing zeros over it (the SDK's response streams do not expose their buffer). Does nothing for null, a disposed
    /// stream or a read-only one whose buffer is hidden.
    /// </summary>
    internal static void Wipe(MemoryStream? stream)
    {
        if (stream is null)
        {
            return;
        }

        if (stream.TryGetBuffer(out var buffer))
        {
            buffer.AsSpan().Clear();
        }
        else if (stream.CanWrite && stream.CanSeek)
        {
            var length = (int)stream.Length;
            stream.Position = 0;
            stream.Write(new byte[length]);
            stream.Position = 0;
        }
    }

    private async Task<T> RunAsync<T>(AwsOperation operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        // Refresh the session here, cancellably and with its failure as the call's failure, before the SDK asks for it.
        var session = await _sessions.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _runner.RunAsync(operation, call, Sensitive, cancellationToken).ConfigureAwait(false);
        }
        catch (KeystoreException ex) when (ex.VendorCode is "ExpiredTokenException" or "ExpiredToken")
        {
            // AWS's clock says the session is over before ours does: assume the role again and retry once.
            _sessions.Discard(session);
            _ = await _sessions.GetAsync(cancellationToken).ConfigureAwait(false);
            return await _runner.RunAsync(operation, call, Sensitive, cancellationToken).ConfigureAwait(false);
        }
    }

    private string[] Sensitive() => _sessions.Current is { } s ? [s.SecretAccessKey, s.SessionToken] : [];

    private KeystoreException Invalid(AwsOperation operation, string field) =>
        new(KeystoreErrorKind.InvalidResponse, $"{AwsErrors.Where(operation, _configuration)} answered {operation} without {field}.");
}

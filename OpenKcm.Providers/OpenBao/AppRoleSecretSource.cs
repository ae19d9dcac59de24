using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Resolves the AppRole secret_id at each login: from the credential vault, or by reading
/// <c>secret_id_path</c> on the console host (so a rotated file takes effect at the next login).
/// </summary>
internal static class AppRoleSecretSource
{
    // A secret ID is a UUID; anything this large is the wrong file.
    private const int MaxFileBytes = 4096;

    public static async Task<SecretValue> GetAsync(
        OpenBaoConfiguration configuration, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        // With a file configured the vault is not asked at all: every resolution is an audited secret use.
        // (Validate already refuses a stored secret_id next to secret_id_path.)
        if (configuration.SecretIdPath is { } path)
        {
            return await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
        }

        return await secrets.GetAsync(OpenBaoFieldNames.SecretId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "No secret ID is stored and no secret ID file (secret_id_path) is set.");
    }

    /// <summary>True when <paramref name="ex"/> came from reading secret_id_path (not from OpenBao).</summary>
    public static bool IsFileProblem(KeystoreException ex) => ex.Data.Contains(nameof(AppRoleSecretSource));

    private static async Task<SecretValue> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                throw Problem(path, $"it is {info.Length} bytes long, which is not a secret ID file");
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Problem(path, "it does not exist on the console host", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw Problem(path, "the console's service account is not allowed to read it (check its owner and mode)", ex);
        }
        catch (IOException ex)
        {
            throw Problem(path, $"reading it failed ({ex.GetType().Name})", ex);
        }

        try
        {
            var text = Encoding.UTF8.GetString(bytes).Trim();
            if (text.Length == 0)
            {
                throw Problem(path, "it is empty");
            }

            return new SecretValue(text);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static KeystoreException Problem(string path, string reason, Exception? inner = null)
    {
        var ex = new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
            $"Cannot read the secret ID file {path}: {reason}.", inner);
        ex.Data[nameof(AppRoleSecretSource)] = path;
        return ex;
    }
}

using System.Text;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Vault;

/// <summary>
/// The default KEK source: the environment variable <c>OPENKCM_KEK</c> (base64 of 32 bytes) when set, otherwise the
/// file <c>kek.key</c> in the data directory, created with mode 0600 on first run. An existing file that group or
/// others can access is refused, with the command that fixes it. Singleton; the key is loaded once, thread-safely,
/// and disposed with the provider.
/// </summary>
public sealed class KeyEncryptionKeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    public const string EnvironmentVariable = "OPENKCM_KEK";
    public const string FileName = "kek.key";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _dataDirectory;
    private readonly Func<string, string?> _getEnvironmentVariable;
    private readonly Lazy<KeyEncryptionKey> _current;
    private string? _source;

    public KeyEncryptionKeyProvider(IOptions<OpenKcmCoreOptions> options)
        : this(options.Value.GetDataDirectory(), Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>For tests: the environment is read through <paramref name="getEnvironmentVariable"/>.</summary>
    internal KeyEncryptionKeyProvider(string dataDirectory, Func<string, string?> getEnvironmentVariable)
    {
        _dataDirectory = dataDirectory;
        _getEnvironmentVariable = getEnvironmentVariable;
        _current = new Lazy<KeyEncryptionKey>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string KeyFilePath => Path.Combine(_dataDirectory, FileName);

    public string Source => _source ?? "not loaded yet";

    public KeyEncryptionKey GetCurrent() => _current.Value;

    public void Dispose()
    {
        if (_current.IsValueCreated)
        {
            _current.Value.Dispose();
        }
    }

    private KeyEncryptionKey Load()
    {
        var fromEnvironment = _getEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (!KeyEncryptionKey.TryFromBase64(fromEnvironment, out var kek))
            {
                throw new KekConfigurationException(
                    $"{EnvironmentVariable} must be the base64 encoding of exactly {KeyEncryptionKey.KeySizeBytes} random bytes " +
                    "(for example the output of `openssl rand -base64 32`).");
            }

            _source = $"environment variable {EnvironmentVariable}";
            return kek!;
        }

        DataDirectory.Ensure(_dataDirectory);
        var path = KeyFilePath;
        _source = path;
        if (File.Exists(path))
        {
            return ReadKeyFile(path);
        }

        try
        {
            return CreateKeyFile(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it between our check and our create: use theirs.
            return ReadKeyFile(path);
        }
    }

    private static KeyEncryptionKey CreateKeyFile(string path)
    {
        var kek = KeyEncryptionKey.Generate();

        // Written to a temporary name created 0600 from the first byte (UnixCreateMode, not a chmod afterwards, so the
        // key is never readable by others even briefly), then renamed, so a crash never leaves a half-written kek.key.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(kek.ToBase64() + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            return kek;
        }
        catch
        {
            kek.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    private static KeyEncryptionKey ReadKeyFile(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new KekConfigurationException(
                    $"The key encryption key file {path} is accessible to other users (mode {ToOctal(mode)}); refusing to " +
                    $"use it. Restrict it to its owner with `chmod 600 {path}`, and consider the key exposed if others " +
                    "could have read it.");
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KekConfigurationException(
                $"The key encryption key file {path} cannot be read by this process: {ex.Message}", ex);
        }

        return KeyEncryptionKey.TryFromBase64(text, out var kek)
            ? kek!
            : throw new KekConfigurationException(
                $"The key encryption key file {path} does not hold the base64 encoding of {KeyEncryptionKey.KeySizeBytes} bytes. " +
                "Restore it from your backup; without it the stored credentials cannot be decrypted.");
    }

    private static string ToOctal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}

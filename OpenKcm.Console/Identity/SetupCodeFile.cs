using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Console.Identity;

/// <summary>
/// The one-time code first-run setup asks for when the request does not come from the console host itself, so whoever
/// first reaches a fresh console over the network cannot claim it. Kept in a file readable only by the console's user;
/// never logged; deleted once the first administrator exists.
/// </summary>
public sealed class SetupCodeFile(string path)
{
    public const string FileName = "setup-code";

    public string Path { get; } = path;

    /// <summary>Creates the file with a fresh random code unless it exists.</summary>
    public void Ensure()
    {
        if (File.Exists(Path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created readable by the console's user only, never world-readable even briefly.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(Path, options);
        file.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(10))));
    }

    /// <summary>True when <paramref name="entered"/> equals the code (case-insensitive, constant-time).</summary>
    public bool Matches(string? entered)
    {
        if (string.IsNullOrWhiteSpace(entered) || !File.Exists(Path))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(File.ReadAllText(Path).Trim());
        var actual = Encoding.ASCII.GetBytes(entered.Trim().ToUpperInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    public void Delete() => File.Delete(Path);
}

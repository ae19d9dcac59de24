using System.Runtime.Versioning;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Vault;

// File modes are what these tests are about; the console runs on Linux.
[UnsupportedOSPlatform("windows")]
public sealed class KeyEncryptionKeyProviderTests : IDisposable
{
    private readonly string _root = CoreTestContext.NewDirectory();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void GetCurrent_NoKeyFile_CreatesItOwnerOnlyInAnOwnerOnlyDirectory()
    {
        var dataDirectory = Path.Combine(_root, "data");
        using var provider = new KeyEncryptionKeyProvider(dataDirectory, _ => null);

        var kek = provider.GetCurrent();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(provider.KeyFilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDirectory));
        Assert.Equal(provider.KeyFilePath, provider.Source);
        Assert.Equal(16, kek.Id.Length);
        Assert.Single(Directory.GetFiles(dataDirectory));
    }

    [Fact]
    public void GetCurrent_ExistingKeyFile_LoadsTheSameKey()
    {
        using var first = new KeyEncryptionKeyProvider(_root, _ => null);
        using var second = new KeyEncryptionKeyProvider(_root, _ => null);

        Assert.Equal(first.GetCurrent().Id, second.GetCurrent().Id);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    public void GetCurrent_KeyFileAccessibleToOthers_RefusesWithTheFix(UnixFileMode extra)
    {
        using (var creator = new KeyEncryptionKeyProvider(_root, _ => null))
        {
            creator.GetCurrent();
        }

        var path = Path.Combine(_root, KeyEncryptionKeyProvider.FileName);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
        using var provider = new KeyEncryptionKeyProvider(_root, _ => null);

        var ex = Assert.Throws<KekConfigurationException>(provider.GetCurrent);

        Assert.Contains($"chmod 600 {path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetCurrent_EnvironmentVariableSet_TakesPrecedenceOverTheFile()
    {
        using (var creator = new KeyEncryptionKeyProvider(_root, _ => null))
        {
            creator.GetCurrent();
        }

        var bytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using var expected = KeyEncryptionKey.FromBytes(bytes);
        using var provider = new KeyEncryptionKeyProvider(_root, name =>
            name == KeyEncryptionKeyProvider.EnvironmentVariable ? Convert.ToBase64String(bytes) : null);

        Assert.Equal(expected.Id, provider.GetCurrent().Id);
        Assert.Equal("environment variable OPENKCM_KEK", provider.Source);
    }

    [Fact]
    public void GetCurrent_EnvironmentVariableSet_CreatesNoKeyFile()
    {
        using var provider = new KeyEncryptionKeyProvider(_root, _ => Convert.ToBase64String(new byte[32]));

        provider.GetCurrent();

        Assert.False(File.Exists(Path.Combine(_root, KeyEncryptionKeyProvider.FileName)));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void GetCurrent_EnvironmentVariableMalformed_RefusesWithoutEchoingIt(string value)
    {
        using var provider = new KeyEncryptionKeyProvider(_root, _ => value);

        var ex = Assert.Throws<KekConfigurationException>(provider.GetCurrent);

        Assert.Contains("openssl rand -base64 32", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetCurrent_CorruptKeyFile_RefusesAndSaysToRestoreIt()
    {
        var path = Path.Combine(_root, KeyEncryptionKeyProvider.FileName);
        File.WriteAllText(path, "garbage");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var provider = new KeyEncryptionKeyProvider(_root, _ => null);

        var ex = Assert.Throws<KekConfigurationException>(provider.GetCurrent);

        Assert.Contains("Restore it from your backup", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyEncryptionKey_ToString_ShowsOnlyTheId()
    {
        using var kek = KeyEncryptionKey.Generate();

        Assert.Equal($"KEK {kek.Id}", kek.ToString());
    }
}

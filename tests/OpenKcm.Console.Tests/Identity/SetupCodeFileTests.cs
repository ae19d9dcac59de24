using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Tests.Identity;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SetupCodeFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("openkcm-setup-code-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SetupCodeFile File() => new(Path.Combine(_directory, SetupCodeFile.FileName));

    [Fact]
    public void Ensure_NoFile_CreatesACodeReadableOnlyByTheOwner()
    {
        var code = File();

        code.Ensure();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(code.Path));
        Assert.Equal(20, System.IO.File.ReadAllText(code.Path).Length);
    }

    [Fact]
    public void Ensure_FileExists_KeepsTheCode()
    {
        var code = File();
        code.Ensure();
        var first = System.IO.File.ReadAllText(code.Path);

        code.Ensure();

        Assert.Equal(first, System.IO.File.ReadAllText(code.Path));
    }

    [Fact]
    public void Matches_TheCodeInAnyCaseWithSpaces_IsTrue()
    {
        var code = File();
        code.Ensure();
        var value = System.IO.File.ReadAllText(code.Path);

        Assert.True(code.Matches($"  {value.ToLowerInvariant()} "));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0000000000000000000")]
    [InlineData("not-the-code")]
    public void Matches_AnythingElse_IsFalse(string? entered)
    {
        var code = File();
        code.Ensure();

        Assert.False(code.Matches(entered));
    }

    [Fact]
    public void Matches_AfterDelete_IsFalse()
    {
        var code = File();
        code.Ensure();
        var value = System.IO.File.ReadAllText(code.Path);

        code.Delete();

        Assert.False(code.Matches(value));
    }
}

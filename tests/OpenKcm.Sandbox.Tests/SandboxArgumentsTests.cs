namespace OpenKcm.Sandbox.Tests;

public sealed class SandboxArgumentsTests
{
    [Fact]
    public void TryParse_ManifestAndDataDir_ReturnsFullPaths()
    {
        var parsed = SandboxArguments.TryParse(["--manifest", "m.json", "--data-dir", "data"], out var arguments, out var error);

        Assert.True(parsed, error);
        Assert.Equal(Path.GetFullPath("m.json"), arguments!.ManifestPath);
        Assert.Equal(Path.GetFullPath("data"), arguments.DataDirectory);
        Assert.False(arguments.ShowHelp);
    }

    [Fact]
    public void TryParse_EqualsForm_IsAccepted()
    {
        var parsed = SandboxArguments.TryParse(["--manifest=/tmp/m.json", "--data-dir=/tmp/d"], out var arguments, out _);

        Assert.True(parsed);
        Assert.Equal("/tmp/m.json", arguments!.ManifestPath);
        Assert.Equal("/tmp/d", arguments.DataDirectory);
    }

    [Fact]
    public void TryParse_WithoutDataDir_UsesNewTempDirectory()
    {
        SandboxArguments.TryParse(["--manifest", "m.json"], out var first, out _);
        SandboxArguments.TryParse(["--manifest", "m.json"], out var second, out _);

        Assert.StartsWith(Path.GetTempPath(), first!.DataDirectory, StringComparison.Ordinal);
        Assert.NotEqual(first.DataDirectory, second!.DataDirectory);
    }

    [Theory]
    [InlineData(new string[0], "--manifest is required")]
    [InlineData(new[] { "--data-dir", "d" }, "--manifest is required")]
    [InlineData(new[] { "--manifest" }, "--manifest needs a value")]
    [InlineData(new[] { "--manifest", "--data-dir", "d" }, "--manifest needs a value")]
    [InlineData(new[] { "--manifest=" }, "--manifest needs a value")]
    [InlineData(new[] { "--manifest", "m.json", "--port", "8200" }, "unknown argument '--port'")]
    [InlineData(new[] { "m.json" }, "unknown argument 'm.json'")]
    public void TryParse_BadArguments_FailsWithReason(string[] args, string expected)
    {
        var parsed = SandboxArguments.TryParse(args, out var arguments, out var error);

        Assert.False(parsed);
        Assert.Null(arguments);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void TryParse_Help_AsksForUsage(string flag)
    {
        var parsed = SandboxArguments.TryParse([flag], out var arguments, out _);

        Assert.True(parsed);
        Assert.True(arguments!.ShowHelp);
    }
}

using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests;

/// <summary>
/// The state file every emulator shares, on real files with a small snapshot type of its own (each emulator's restore
/// over real HTTP and PKCS#11 is tested in its persistence tests).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StateFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();

    public StateFileTests() => Directory.CreateDirectory(_directory);

    private string FilePath => Path.Combine(_directory, "test-state.json");

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsAsSnakeCaseOwnerOnlyFile()
    {
        Open().Save(new TestState { Format = 1, SecretValue = "s3cret-value" });

        var loaded = Open().Load(s => s);

        Assert.Equal("s3cret-value", loaded?.SecretValue);
        Assert.Contains("\"secret_value\"", File.ReadAllText(FilePath), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
        Assert.DoesNotContain("s3cret-value", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RestoreRefusesTheState_MovesItAsideTwiceWithoutOverwritingAndNeverQuotesIt()
    {
        Open().Save(new TestState { Format = 9, SecretValue = "s3cret-value" });
        Assert.Null(Open().Load<TestState>(s => throw new InvalidDataException($"format {s.Format} is not 1")));
        Open().Save(new TestState { Format = 9, SecretValue = "s3cret-value" });
        Assert.Null(Open().Load<TestState>(s => throw new InvalidDataException($"format {s.Format} is not 1")));

        Assert.False(File.Exists(FilePath));
        Assert.Equal(["test-state.json.corrupt-20260901T080000Z", "test-state.json.corrupt-20260901T080000Z-2"],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, _logs.Warnings.Count(w => w.Message.Contains("format 9 is not 1", StringComparison.Ordinal)
            && w.Message.Contains("starting fresh", StringComparison.Ordinal)));
        Assert.DoesNotContain("s3cret-value", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotJson_MovesItAsideAndSaysWhereWithoutQuotingIt()
    {
        File.WriteAllText(FilePath, "{\"format\": 1, \"secret_value\": s3cret-value}");

        Assert.Null(Open().Load(s => s));

        var warning = Assert.Single(_logs.Warnings).Message;
        Assert.Contains("it is not valid JSON or lacks a field (at $.secret_value, line 1", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingRequiredField_IsSetAside()
    {
        File.WriteAllText(FilePath, "{\"format\": 1}");

        Assert.Null(Open().Load(s => s));

        Assert.Single(Directory.GetFiles(_directory, "test-state.json.corrupt-*"));
    }

    [Fact]
    public void Save_Unchanged_DoesNotRewriteButWriteAlwaysDoes()
    {
        var file = Open();
        var state = new TestState { Format = 1, SecretValue = "v" };
        file.Save(state);
        File.SetUnixFileMode(FilePath, UnixFileMode.UserRead);

        file.Save(state);
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(FilePath));

        file.Write(state);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
    }

    [Fact]
    public void SaveAndWrite_ParentIsAFile_SaveWarnsOnceAndWriteThrows()
    {
        // A file where the directory should be: fails for root too, unlike directory modes.
        var notADirectory = Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(notADirectory, "");
        var file = new StateFile<TestState>(Path.Combine(notADirectory, "s.json"), "test", "its values", "starting fresh", _clock,
            _logs.CreateLogger("test"));

        file.Save(new TestState { Format = 1, SecretValue = "a" });
        file.Save(new TestState { Format = 1, SecretValue = "b" });

        Assert.Single(_logs.Warnings, w => w.Message.Contains("could not save its state", StringComparison.Ordinal));
        Assert.ThrowsAny<IOException>(() => file.Write(new TestState { Format = 1, SecretValue = "c" }));
    }

    private StateFile<TestState> Open() =>
        new(FilePath, "test", "its values", "starting fresh", _clock, _logs.CreateLogger("test"));

    /// <summary>A snapshot with a secret in it, as the emulators' are.</summary>
    internal sealed record TestState
    {
        public required int Format { get; init; }

        public required string SecretValue { get; init; }
    }
}

using System.Diagnostics;
using System.Text;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>
/// Reading secret_id_path at login: only regular files inside the allowed directories, after resolving every link,
/// never more than the cap, and with messages that never carry the file's content.
/// </summary>
public sealed class AppRoleSecretSourceTests : IDisposable
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("openkcm-secret-id-").FullName;
    private readonly string _allowed;
    private readonly string _outside;
    private readonly SecretIdLocations _locations;

    public AppRoleSecretSourceTests()
    {
        _allowed = Directory.CreateDirectory(Path.Combine(_root, "allowed")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        _locations = new SecretIdLocations([_allowed]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task GetAsync_FileInsideAllowedDirectory_ReturnsItsLineWithoutTheLineBreak()
    {
        var path = Write(_allowed, "secret-id", "4b8a1f4e-0d4c-4f0e-9d55-7f3a1c2b9e01\n");

        using var secret = await ReadAsync(path);

        Assert.Equal("4b8a1f4e-0d4c-4f0e-9d55-7f3a1c2b9e01", secret.Reveal());
    }

    [Fact]
    public async Task GetAsync_FileOfExactlyTheCap_IsRead()
    {
        var path = Write(_allowed, "secret-id", new string('a', AppRoleSecretSource.MaxFileBytes));

        using var secret = await ReadAsync(path);

        Assert.Equal(AppRoleSecretSource.MaxFileBytes, secret.Length);
    }

    [Fact]
    public async Task GetAsync_LinkInsideAllowedDirectoryToAFileOutside_IsRefusedWithoutItsContent()
    {
        var target = Write(_outside, "kek.key", "outside-content-never-shown\n");
        var link = Path.Combine(_allowed, "secret-id");
        File.CreateSymbolicLink(link, target);

        var ex = await AssertRefusedAsync(link);

        Assert.Contains("links to a file outside", ex.Message);
        Assert.DoesNotContain("outside-content-never-shown", ex.Message);
    }

    [Fact]
    public async Task GetAsync_RelativeLinkClimbingOutOfAllowedDirectory_IsRefused()
    {
        Write(_outside, "kek.key", "outside-content-never-shown\n");
        var link = Path.Combine(_allowed, "secret-id");
        File.CreateSymbolicLink(link, "../outside/kek.key");

        var ex = await AssertRefusedAsync(link);

        Assert.Contains("links to a file outside", ex.Message);
    }

    [Fact]
    public async Task GetAsync_DirectoryOnTheWayLinksOutside_IsRefused()
    {
        Write(_outside, "secret-id", "outside-content-never-shown\n");
        Directory.CreateSymbolicLink(Path.Combine(_allowed, "sub"), _outside);

        var ex = await AssertRefusedAsync(Path.Combine(_allowed, "sub", "secret-id"));

        Assert.Contains("links to a file outside", ex.Message);
        Assert.DoesNotContain("outside-content-never-shown", ex.Message);
    }

    [Fact]
    public async Task GetAsync_LinkToAnotherFileInsideAllowedDirectory_IsRead()
    {
        var target = Write(_allowed, "secret-id-2026", "rotated-secret-id\n");
        var link = Path.Combine(_allowed, "secret-id");
        File.CreateSymbolicLink(link, target);

        using var secret = await ReadAsync(link);

        Assert.Equal("rotated-secret-id", secret.Reveal());
    }

    [Fact]
    public async Task GetAsync_AllowedDirectoryIsItselfALink_ReadsTheFilesInIt()
    {
        Write(_allowed, "secret-id", "secret-id-through-linked-directory\n");
        var linkedDirectory = Path.Combine(_root, "linked");
        Directory.CreateSymbolicLink(linkedDirectory, _allowed);

        using var secret = await ReadAsync(Path.Combine(linkedDirectory, "secret-id"), new SecretIdLocations([linkedDirectory]));

        Assert.Equal("secret-id-through-linked-directory", secret.Reveal());
    }

    [Fact]
    public async Task GetAsync_LinkToProcSelfEnviron_IsRefusedWithoutTheEnvironment()
    {
        var link = Path.Combine(_allowed, "secret-id");
        File.CreateSymbolicLink(link, "/proc/self/environ");

        var ex = await AssertRefusedAsync(link);

        Assert.Contains("/proc", ex.Message);
        Assert.DoesNotContain("PATH=", ex.Message);
    }

    [Theory]
    [InlineData("/proc")]
    [InlineData("/proc/self")]
    [InlineData("/sys")]
    [InlineData("/dev")]
    public async Task GetAsync_SystemDirectoryAllowedByConfiguration_IsStillRefused(string directory)
    {
        var path = directory == "/dev" ? "/dev/zero" : directory == "/sys" ? "/sys/kernel/uevent_seqnum" : "/proc/self/environ";

        var ex = await AssertRefusedAsync(path, new SecretIdLocations([directory]));

        Assert.DoesNotContain("PATH=", ex.Message);
    }

    [Fact]
    public async Task GetAsync_PathOutsideAllowedDirectories_IsRefusedAlikeWhetherTheFileExistsOrNot()
    {
        var existing = Write(_outside, "kek.key", "outside-content-never-shown\n");
        var missing = Path.Combine(_outside, "no-such-file");

        var existingMessage = (await AssertRefusedAsync(existing)).Message.Replace(existing, "<path>", StringComparison.Ordinal);
        var missingMessage = (await AssertRefusedAsync(missing)).Message.Replace(missing, "<path>", StringComparison.Ordinal);

        Assert.Equal(existingMessage, missingMessage);
        Assert.Contains(OpenBaoOptions.SecretIdDirectoriesKey, existingMessage);
    }

    [Fact]
    public async Task GetAsync_DotDotOutOfAllowedDirectory_IsRefused()
    {
        Write(_outside, "kek.key", "outside-content-never-shown\n");

        var ex = await AssertRefusedAsync(Path.Combine(_allowed, "..", "outside", "kek.key"));

        Assert.Contains("not inside them", ex.Message);
    }

    [Fact]
    public async Task GetAsync_MissingFileOrADirectory_GiveTheSameMessage()
    {
        var missing = Path.Combine(_allowed, "no-such-file");
        var directory = Directory.CreateDirectory(Path.Combine(_allowed, "a-directory")).FullName;

        var missingMessage = (await AssertRefusedAsync(missing)).Message.Replace(missing, "<path>", StringComparison.Ordinal);
        var directoryMessage = (await AssertRefusedAsync(directory)).Message.Replace(directory, "<path>", StringComparison.Ordinal);

        Assert.Equal(missingMessage, directoryMessage);
        Assert.Contains("does not exist, is not a regular file, or the console's service account may not read it", missingMessage);
    }

    [Fact]
    public async Task GetAsync_FileLargerThanTheCap_IsRefusedWithoutItsContent()
    {
        var path = Write(_allowed, "secret-id", "big-" + new string('x', 3 * AppRoleSecretSource.MaxFileBytes));

        var ex = await AssertRefusedAsync(path);

        Assert.Contains($"at most {AppRoleSecretSource.MaxFileBytes} bytes", ex.Message);
        Assert.DoesNotContain("big-", ex.Message);
    }

    [Fact]
    public async Task ReadSecretAsync_StreamLongerThanItsLengthClaims_ReadsAtMostOneByteOverTheCap()
    {
        await using var stream = new EndlessStream();

        var ex = await Assert.ThrowsAsync<KeystoreException>(
            () => AppRoleSecretSource.ReadSecretAsync(stream, "/etc/openkcm/secret-id", CancellationToken.None).WaitAsync(s_guard));

        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.InRange(stream.BytesRead, AppRoleSecretSource.MaxFileBytes + 1, AppRoleSecretSource.MaxFileBytes + 1);
    }

    [Fact]
    public async Task GetAsync_Fifo_IsRefusedWithoutWaitingForAWriter()
    {
        var fifo = Path.Combine(_allowed, "secret-id");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(s_guard);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var ex = await AssertRefusedAsync(fifo);

        Assert.Contains("must hold only the secret ID", ex.Message);
    }

    public static TheoryData<byte[]> UnusableContents() => new()
    {
        Array.Empty<byte>(),
        "\n"u8.ToArray(),
        " \t \r\n"u8.ToArray(),
        "line-one-secret\nline-two-secret\n"u8.ToArray(),
        "OPENKCM_KEK=abc\0Bootstrap__AdminPassword=def\0"u8.ToArray(),
        new byte[] { 0x73, 0x65, 0x63, 0xC3, 0x28, 0x0A },
    };

    [Theory]
    [MemberData(nameof(UnusableContents))]
    public async Task GetAsync_UnusableContent_IsRefusedWithOneMessageThatDoesNotEchoIt(byte[] content)
    {
        var path = Path.Combine(_allowed, "secret-id");
        await File.WriteAllBytesAsync(path, content);

        var ex = await AssertRefusedAsync(path);

        Assert.Equal(
            $"Cannot use the secret ID file {path}: it must hold only the secret ID, as one line of UTF-8 text of at most "
            + $"{AppRoleSecretSource.MaxFileBytes} bytes.",
            ex.Message);
    }

    [Fact]
    public async Task GetAsync_AnyRefusal_IsMarkedAsAFileProblem()
    {
        var ex = await AssertRefusedAsync(Path.Combine(_outside, "kek.key"));

        Assert.True(AppRoleSecretSource.IsFileProblem(ex));
    }

    private static string Write(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private async Task<SecretValue> ReadAsync(string path, SecretIdLocations? locations = null)
    {
        using var configuration = new OpenBaoConfiguration
        {
            Address = new Uri("http://127.0.0.1:8200/"),
            RoleId = "role-id",
            SecretIdPath = path,
            MountPath = "openkcm-keys",
            KeyName = "customer-master-key",
        };
        return await AppRoleSecretSource.GetAsync(configuration, InMemorySecretResolver.None, locations ?? _locations, CancellationToken.None)
            .WaitAsync(s_guard);
    }

    private async Task<KeystoreException> AssertRefusedAsync(string path, SecretIdLocations? locations = null)
    {
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => ReadAsync(path, locations));
        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.StartsWith($"Cannot use the secret ID file {path}: ", ex.Message);
        return ex;
    }

    /// <summary>A stream that never ends and claims to be empty, as a file under /proc does.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => 0;

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'a');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

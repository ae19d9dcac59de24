using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

/// <summary>Paths that are not PKCS#11 modules: each a typed error before any native call that could crash; the process survives.</summary>
public sealed class Pkcs11ModuleLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("openkcm-p11-load-").FullName;

    [Fact]
    public void Load_MissingFile_IsNotFound() =>
        AssertFailure(Path.Combine(_directory, "libnothing.so"), Pkcs11LoadFailure.NotFound);

    [Fact]
    public void Load_Directory_IsNotAFile() => AssertFailure(_directory, Pkcs11LoadFailure.NotAFile);

    [Fact]
    public void Load_TextFile_IsNotASharedObject()
    {
        var path = Path.Combine(_directory, "libCryptoki2_64.so");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("this is a text file, not a library\n", 10)));
        AssertFailure(path, Pkcs11LoadFailure.NotASharedObject);
    }

    [Fact]
    public void Load_EmptyFile_IsNotASharedObject()
    {
        var path = Path.Combine(_directory, "empty.so");
        File.WriteAllBytes(path, []);
        AssertFailure(path, Pkcs11LoadFailure.NotASharedObject);
    }

    [Fact]
    public void Load_ElfHeaderOfAnotherArchitecture_IsWrongArchitecture()
    {
        var bytes = new byte[128];
        bytes[0] = 0x7F;
        bytes[1] = (byte)'E';
        bytes[2] = (byte)'L';
        bytes[3] = (byte)'F';
        bytes[4] = 1; // ELFCLASS32
        bytes[5] = 1;
        bytes[16] = 3; // ET_DYN
        bytes[18] = 3; // EM_386
        var path = Path.Combine(_directory, "lib32.so");
        File.WriteAllBytes(path, bytes);
        AssertFailure(path, Pkcs11LoadFailure.WrongArchitecture);
    }

    [Fact]
    public void Load_TruncatedElfLibrary_IsRefusedBeforeTheLoaderMapsIt()
    {
        var bytes = File.ReadAllBytes(FindLibz()).AsSpan(0, 4096).ToArray();
        var path = Path.Combine(_directory, "truncated.so");
        File.WriteAllBytes(path, bytes);
        AssertFailure(path, Pkcs11LoadFailure.NotASharedObject);
    }

    [Fact]
    public void Load_SharedLibraryWithoutPkcs11_IsNotPkcs11() => AssertFailure(FindLibz(), Pkcs11LoadFailure.NotPkcs11);

    [Fact]
    public void Load_Executable_IsRefused()
    {
        var ex = Assert.Throws<Pkcs11ModuleException>(() => Pkcs11Module.Load("/bin/ls"));
        Assert.Contains(ex.Failure, new[] { Pkcs11LoadFailure.NotASharedObject, Pkcs11LoadFailure.LoadFailed });
    }

    [Theory]
    [InlineData("")]
    [InlineData("libsofthsm2.so")]
    [InlineData("../softhsm/libsofthsm2.so")]
    public void Load_EmptyOrRelativePath_IsInvalidPath(string path) => AssertFailure(path, Pkcs11LoadFailure.InvalidPath);

    [Fact]
    public void Load_Device_IsNotAFile() => AssertFailure("/dev/zero", Pkcs11LoadFailure.NotAFile);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static string FindLibz() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("libz.so.1 not found");

    private static void AssertFailure(string path, Pkcs11LoadFailure failure)
    {
        var ex = Assert.Throws<Pkcs11ModuleException>(() => Pkcs11Module.Load(path));
        Assert.True(ex.Failure == failure, $"expected {failure}, got {ex.Failure}: {ex.Message}");
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}

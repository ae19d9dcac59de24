using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

/// <summary>
/// Real SoftHSM2 tokens for this test run, in a temporary directory of their own. SoftHSM reads SOFTHSM2_CONF with the C
/// library's getenv when the module is initialized; <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach that, so the variable is set with libc setenv before the first C_Initialize in this process. Tokens are
/// created with softhsm2-util (given the variable in its own environment) before the module is loaded: SoftHSM reads the
/// token directory at C_Initialize (see <see cref="Pkcs11ModuleTests"/>). The fixture holds a module lease for the whole
/// run so the module stays initialized between tests.
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "1234-user";
    public const string SoPin = "5678-so";

    /// <summary>The token of the plugin tests, with the L1 key and the bad keys.</summary>
    public const string MainToken = "luna-main";

    /// <summary>A token whose PIN tests enter wrongly (failures count towards a lock on real HSMs).</summary>
    public const string PinToken = "luna-pin";

    /// <summary>A token only the pool tests open sessions on, so its session count is theirs.</summary>
    public const string PoolToken = "luna-pool";

    /// <summary>A token labelled on two slots at once is impossible in SoftHSM; this one is for the generated-key tests.</summary>
    public const string ScratchToken = "luna-scratch";

    /// <summary>A token the tests put at CKF_USER_PIN_FINAL_TRY (see <see cref="SetTokenFlag"/>).</summary>
    public const string FinalTryToken = "luna-final-try";

    public const string L1Key = "openkcm-l1";
    public const string DuplicateKey = "dup-key";
    public const string ExtractableKey = "extractable-key";
    public const string NonSensitiveKey = "nonsensitive-key";
    public const string ShortKey = "aes128-key";
    public const string GenericKey = "generic-key";
    public const string EncryptOnlyKey = "encrypt-only-key";

    private readonly Pkcs11Module? _module;

    public SoftHsm()
    {
        if (!File.Exists(ModulePath) || FindTool("softhsm2-util") is null)
        {
            MissingReason = $"SoftHSM2 is not installed ({ModulePath} or softhsm2-util missing): apt-get install -y softhsm2 (./test.sh does).";
            return;
        }

        Directory = System.IO.Directory.CreateTempSubdirectory("openkcm-softhsm-").FullName;
        var tokens = System.IO.Path.Combine(Directory, "tokens");
        System.IO.Directory.CreateDirectory(tokens);
        ConfigPath = System.IO.Path.Combine(Directory, "softhsm2.conf");
        File.WriteAllText(ConfigPath, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        if (setenv("SOFTHSM2_CONF", ConfigPath, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed.");
        }

        foreach (var label in new[] { MainToken, PinToken, PoolToken, ScratchToken, FinalTryToken })
        {
            InitToken(label);
        }

        _module = Pkcs11Module.Load(ModulePath);
        using var session = OpenUserSession(MainToken);
        GenerateAes(session, L1Key, 32);
        GenerateAes(session, DuplicateKey, 32);
        GenerateAes(session, DuplicateKey, 32);
        GenerateAes(session, ExtractableKey, 32, extractable: true);
        GenerateAes(session, NonSensitiveKey, 32, sensitive: false);
        GenerateAes(session, ShortKey, 16);
        GenerateAes(session, EncryptOnlyKey, 32, decrypt: false);
        _ = session.GenerateKey(Ck.CkmGenericSecretKeyGen, new Pkcs11Template()
            .ULong(Ck.CkaClass, Ck.CkoSecretKey).ULong(Ck.CkaKeyType, Ck.CkkGenericSecret).ULong(Ck.CkaValueLen, 32)
            .Text(Ck.CkaLabel, GenericKey).Bool(Ck.CkaToken, true).Bool(Ck.CkaSensitive, true).Bool(Ck.CkaExtractable, false)
            .Bool(Ck.CkaEncrypt, true).Bool(Ck.CkaDecrypt, true));
        using var pool = OpenUserSession(PoolToken);
        GenerateAes(pool, L1Key, 32);
    }

    /// <summary>Why the SoftHSM tests cannot run, or null.</summary>
    public string? MissingReason { get; }

    public string Directory { get; } = "";

    public string ConfigPath { get; } = "";

    /// <summary>The fixture's lease; tests take their own with <see cref="Pkcs11Module.Load"/>.</summary>
    public Pkcs11Module Module => _module ?? throw new InvalidOperationException(MissingReason);

    public static byte[] PinBytes => Encoding.UTF8.GetBytes(Pin);

    /// <summary>Fails the calling test with the reason when SoftHSM2 is missing.</summary>
    public void Require() => Assert.True(MissingReason is null, MissingReason);

    public nuint Slot(string label) => Assert.Single(Module.FindTokens(label)).SlotId;

    public Pkcs11Session OpenUserSession(string label)
    {
        var session = Module.OpenSession(Slot(label));
        session.Login(PinBytes);
        return session;
    }

    /// <summary>
    /// Whether this process has no session open on the token. SoftHSM answers ulSessionCount with
    /// CK_UNAVAILABLE_INFORMATION, so this asks the token another way: PKCS#11 ends the application's login when its last
    /// session on the token closes, so a fresh session that is not logged in proves no other session was open.
    /// </summary>
    public bool NoSessionsOpen(string label)
    {
        using var probe = Module.OpenSession(Slot(label));
        return !probe.GetInfo().UserLoggedIn;
    }

    public static nuint GenerateAes(Pkcs11Session session, string label, int bytes, bool sensitive = true, bool extractable = false,
        bool decrypt = true, bool token = true) =>
        session.GenerateKey(Ck.CkmAesKeyGen, new Pkcs11Template()
            .ULong(Ck.CkaClass, Ck.CkoSecretKey).ULong(Ck.CkaKeyType, Ck.CkkAes).ULong(Ck.CkaValueLen, (nuint)bytes)
            .Text(Ck.CkaLabel, label).Bool(Ck.CkaToken, token).Bool(Ck.CkaPrivate, true).Bool(Ck.CkaSensitive, sensitive)
            .Bool(Ck.CkaExtractable, extractable).Bool(Ck.CkaEncrypt, true).Bool(Ck.CkaDecrypt, decrypt)
            .Bool(Ck.CkaWrap, false).Bool(Ck.CkaUnwrap, false));

    /// <summary>
    /// Sets <paramref name="flag"/> in the token's CK_TOKEN_INFO flags the way SoftHSM stores them, for token states
    /// SoftHSM never reaches by itself (it has no retry counter, so never CKF_USER_PIN_FINAL_TRY). SoftHSM 2.6 file
    /// backend: token.object is an 8-byte big-endian generation, then attributes (type, kind, value; all 8-byte
    /// big-endian) with the flags under CKA_OS_TOKENFLAGS (0x8000534B, kind 2 = unsigned long). Bumping the
    /// generation makes the module read the file again.
    /// </summary>
    public void SetTokenFlag(string label, nuint flag)
    {
        var padded = Encoding.UTF8.GetBytes(label.PadRight(32));
        var file = System.IO.Directory.GetFiles(System.IO.Path.Combine(Directory, "tokens"), "token.object", SearchOption.AllDirectories)
            .Single(f => File.ReadAllBytes(f).AsSpan().IndexOf(padded) >= 0);
        var bytes = File.ReadAllBytes(file);
        byte[] marker = [0, 0, 0, 0, 0x80, 0, 0x53, 0x4B, 0, 0, 0, 0, 0, 0, 0, 2];
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at >= 8, "CKA_OS_TOKENFLAGS not found in " + file);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at + 16));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at + 16), value | flag);
        var generation = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, generation + 1);
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Runs softhsm2-util --init-token with this run's SOFTHSM2_CONF in its environment.</summary>
    public void InitToken(string label)
    {
        var start = new ProcessStartInfo(FindTool("softhsm2-util")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--init-token", "--free", "--label", label, "--pin", Pin, "--so-pin", SoPin })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["SOFTHSM2_CONF"] = ConfigPath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token {label} failed: {error} {output.Result}");
        }
    }

    public void Dispose()
    {
        _module?.Dispose();
        if (Directory.Length > 0)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp dir is harmless.
            }
        }
    }

    private static string? FindTool(string name) =>
        new[] { "/usr/bin", "/usr/local/bin", "/bin" }.Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054, CA1401, CA2101 // A test fixture; LibraryImport would need unsafe code in the test project.
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore SYSLIB1054, CA1401, CA2101
}

/// <summary>Every test that touches SoftHSM runs in this collection: one module per process, tokens made once.</summary>
[CollectionDefinition(Name)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsm>
{
    public const string Name = "SoftHSM";
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Bench;

/// <summary>
/// A throw-away SoftHSM2 token for one benchmark run: its own token directory and softhsm2.conf, SOFTHSM2_CONF set
/// with libc setenv (the module reads it with getenv at C_Initialize), a token made with softhsm2-util, and a
/// sensitive, non-extractable AES-256 L1 key generated through the interop layer.
/// </summary>
internal sealed partial class SoftHsmBench : IDisposable
{
    public const string Token = "bench-partition";
    public const string KeyLabel = "bench-l1";
    public const string Pin = "bench-pin-1234";

    public SoftHsmBench(string modulePath)
    {
        ModulePath = modulePath;
        Directory = System.IO.Directory.CreateTempSubdirectory("openkcm-bench-").FullName;
        var tokens = Path.Combine(Directory, "tokens");
        System.IO.Directory.CreateDirectory(tokens);
        var config = Path.Combine(Directory, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        if (SetEnv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv failed");
        }

        var start = new ProcessStartInfo("softhsm2-util") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "--init-token", "--free", "--label", Token, "--pin", Pin, "--so-pin", "bench-so-5678" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["SOFTHSM2_CONF"] = config;
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("softhsm2-util --init-token failed");
            }
        }

        Module = Pkcs11Module.Load(modulePath);
        using var session = Module.OpenSession(Slot);
        session.Login(System.Text.Encoding.UTF8.GetBytes(Pin));
        _ = session.GenerateKey(Ck.CkmAesKeyGen, new Pkcs11Template()
            .ULong(Ck.CkaClass, Ck.CkoSecretKey).ULong(Ck.CkaKeyType, Ck.CkkAes).ULong(Ck.CkaValueLen, 32)
            .Text(Ck.CkaLabel, KeyLabel).Bool(Ck.CkaToken, true).Bool(Ck.CkaPrivate, true)
            .Bool(Ck.CkaSensitive, true).Bool(Ck.CkaExtractable, false).Bool(Ck.CkaEncrypt, true).Bool(Ck.CkaDecrypt, true));
    }

    public string ModulePath { get; }

    public string Directory { get; }

    public Pkcs11Module Module { get; }

    public nuint Slot => Module.FindTokens(Token).Single().SlotId;

    public void Dispose()
    {
        Module.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}

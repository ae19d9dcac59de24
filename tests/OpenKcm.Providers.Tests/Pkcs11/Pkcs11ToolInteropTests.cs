using System.Diagnostics;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

/// <summary>
/// The interop layer against a client written by others: OpenSC's pkcs11-tool on the same SoftHSM2 token, in its own
/// process. A key generated through our C_GenerateKey template must look sensitive and never extractable to it, and a key
/// it generates must be found and usable through our layer.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11ToolInteropTests(SoftHsm hsm)
{
    private const string Tool = "/usr/bin/pkcs11-tool";

    [Fact]
    public void Pkcs11Tool_ListsOurL1Key_AsSensitiveAndNeverExtractable()
    {
        hsm.Require();
        Assert.True(File.Exists(Tool), "pkcs11-tool missing: apt-get install -y opensc (./test.sh does).");
        var output = Run("--token-label", SoftHsm.MainToken, "--login", "--pin", SoftHsm.Pin, "--list-objects", "--type", "secrkey",
            "--label", SoftHsm.L1Key);

        Assert.Contains("Secret Key Object; AES length 32", output, StringComparison.Ordinal);
        Assert.Contains($"label:      {SoftHsm.L1Key}", output, StringComparison.Ordinal);
        Assert.Contains("never extractable", output, StringComparison.Ordinal);
        Assert.Contains("sensitive", output, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyGeneratedByPkcs11Tool_IsFoundAndUsableThroughTheInterop()
    {
        hsm.Require();
        Assert.True(File.Exists(Tool), "pkcs11-tool missing: apt-get install -y opensc (./test.sh does).");
        var label = "tool-" + Guid.NewGuid().ToString("N")[..8];
        _ = Run("--token-label", SoftHsm.ScratchToken, "--login", "--pin", SoftHsm.Pin, "--keygen", "--key-type", "AES:32",
            "--label", label, "--sensitive");

        using var session = hsm.OpenUserSession(SoftHsm.ScratchToken);
        var key = Assert.Single(session.FindSecretKeys(label, 2));
        var attributes = session.GetKeyAttributes(key);
        Assert.Equal((Ck.CkkAes, 32L, true), (attributes.KeyType, attributes.ValueLength, attributes.Sensitive));
        var iv = new byte[Ck.GcmIvLength];
        Assert.Equal("x"u8.ToArray(), session.DecryptAesGcm(key, iv, default, session.EncryptAesGcm(key, iv, default, "x"u8)));
        session.DestroyObject(key);
    }

    private string Run(params string[] args)
    {
        var start = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--module");
        start.ArgumentList.Add(SoftHsm.ModulePath);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["SOFTHSM2_CONF"] = hsm.ConfigPath;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "pkcs11-tool did not finish");
        Assert.True(process.ExitCode == 0, $"pkcs11-tool failed: {error.Result} {output}");
        return output;
    }
}

using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Tests.Support;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

[UnsupportedOSPlatform("windows")]
public sealed class LunaTokenTests : LunaSandboxTest
{
    [Fact]
    public async Task Start_CreatesL1KeyThatPkcs11ToolListsAsSensitiveAndNotExtractable()
    {
        var luna = await StartAvailableAsync();

        var keys = await ListKeysAsync(luna, LunaSandbox.DefaultKeyLabel);

        var key = Assert.Single(keys);
        Assert.StartsWith(" AES length 32", key, StringComparison.Ordinal);
        var access = Items(key, "Access");
        Assert.Contains("sensitive", access);
        Assert.Contains("always sensitive", access);
        Assert.Contains("never extractable", access);
        Assert.DoesNotContain("extractable", access);
        Assert.DoesNotContain("VALUE:", key, StringComparison.Ordinal);
        Assert.Superset(new HashSet<string> { "encrypt", "decrypt", "wrap", "unwrap" }, Items(key, "Usage").ToHashSet());
    }

    [Fact]
    public async Task ReadObject_OfL1Key_FailsBecauseTheKeyIsSensitive()
    {
        var luna = await StartAvailableAsync();
        var output = Path.Combine(DataDirectory, "stolen-key.bin");

        var run = await Pkcs11Tool.RunLoggedInAsync(luna, "--read-object", "--type", "secrkey", "--label", luna.KeyLabel,
            "--output-file", output);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("CKR_ATTRIBUTE_SENSITIVE", run.Error, StringComparison.Ordinal);
        Assert.True(!File.Exists(output) || new FileInfo(output).Length == 0, "key material was written to " + output);
    }

    [Fact]
    public async Task ListObjects_WithoutLogin_DoesNotShowThePrivateKey()
    {
        var luna = await StartAvailableAsync();

        var run = await Pkcs11Tool.RunAsync(luna, "--list-objects", "--type", "secrkey");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(luna.KeyLabel, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task L1Key_EncryptsAndDecryptsThroughPkcs11Tool()
    {
        var luna = await StartAvailableAsync();
        var plain = Path.Combine(DataDirectory, "plain.bin");
        await File.WriteAllBytesAsync(plain, "openkcm L2 key material 32 byte"u8.ToArray().Concat(new byte[] { 0 }).ToArray());

        var decrypted = await RoundTripAsync(luna, luna, plain);

        Assert.Equal(await File.ReadAllBytesAsync(plain), decrypted);
    }

    [Fact]
    public async Task Start_WritesSoftHsmConfigurationAndStateOnlyTheOwnerCanRead()
    {
        var luna = await StartAvailableAsync();
        var softHsm = Path.Combine(DataDirectory, LunaSandbox.SoftHsmDirectoryName);

        var conf = (await File.ReadAllLinesAsync(luna.SoftHsmConfPath)).Where(l => !l.StartsWith('#')).ToList();

        Assert.Equal(Path.Combine(softHsm, "softhsm2.conf"), luna.SoftHsmConfPath);
        Assert.Equal(
            [$"directories.tokendir = {Path.Combine(softHsm, "tokens")}", "objectstore.backend = file", "log.level = ERROR",
                "slots.removable = false"],
            conf);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(softHsm));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(luna.SoftHsmConfPath));
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!;
        Assert.Equal(luna.UserPin, state["user_pin"]!.GetValue<string>());
        Assert.NotEqual(luna.UserPin, SoPin());
        Assert.Equal(luna.NtlsPort, state["ntls_port"]!.GetValue<int>());
        Assert.True(luna.UserPin.Length >= 16, "the PIN is short");
    }

    [Fact]
    public async Task ManifestEntry_IsTheWizardImportShapeWithoutSecrets()
    {
        var luna = await StartAvailableAsync();

        var entry = luna.ManifestEntry();

        Assert.Equal("thales_luna", entry["plugin_type"]!.GetValue<string>());
        Assert.Equal("sandbox_thales_luna", entry["plugin_name"]!.GetValue<string>());
        var configuration = entry["configuration"]!.AsObject();
        Assert.Equal(["127.0.0.1", "127.0.0.2"], configuration["hsm_ip_addresses"].Strings());
        Assert.Equal("openkcm_partition", configuration["partition_label"]!.GetValue<string>());
        Assert.Equal(luna.ModulePath, configuration["pkcs11_library_path"]!.GetValue<string>());
        Assert.Equal("openkcm-l1", configuration["key_label"]!.GetValue<string>());
        Assert.Equal(luna.NtlsPort, configuration["ntls_port"]!.GetValue<int>());
        Assert.Equal(luna.ClientCertificatePem, configuration["client_certificate"]!.GetValue<string>());
        Assert.Equal(luna.CaCertificatePem, configuration["ca_certificate"]!.GetValue<string>());
        Assert.Equal(["ca_certificate", "client_certificate", "hsm_ip_addresses", "key_label", "ntls_port", "partition_label",
                "pkcs11_library_path"],
            configuration.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(luna.UserPin, entry.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolAccess_GivesPkcs11ToolEverythingToSeeTheKeyAsNotExtractable()
    {
        var luna = await StartAvailableAsync();

        var access = luna.ToolAccess();
        var run = await Pkcs11Tool.RunAsync(access["softhsm2_conf"]!.GetValue<string>(),
        [
            "--module", access["module_path"]!.GetValue<string>(), "--token-label", access["token_label"]!.GetValue<string>(),
            "--login", "--pin", access["pin"]!.GetValue<string>(), "--list-objects", "--type", "secrkey",
        ]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var key = Assert.Single(run.Output.Split("Secret Key Object;", StringSplitOptions.RemoveEmptyEntries),
            b => b.Contains("label:      " + access["key_label"]!.GetValue<string>() + "\n", StringComparison.Ordinal));
        Assert.Contains("never extractable", Items(key, "Access"));
        Assert.DoesNotContain("extractable", Items(key, "Access"));
        Assert.Contains($"--pin '{luna.UserPin}'", access["pkcs11_tool"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>AES-CBC encrypt with <paramref name="encryptor"/>'s L1 key, decrypt with <paramref name="decryptor"/>'s.</summary>
    internal static async Task<byte[]> RoundTripAsync(LunaSandbox encryptor, LunaSandbox decryptor, string plainFile)
    {
        var cipher = plainFile + ".enc";
        var back = plainFile + ".dec";
        const string Iv = "000102030405060708090a0b0c0d0e0f";
        var encrypt = await Pkcs11Tool.RunLoggedInAsync(encryptor, "--encrypt", "--mechanism", "AES-CBC", "--iv", Iv,
            "--label", encryptor.KeyLabel, "--input-file", plainFile, "--output-file", cipher);
        Assert.True(encrypt.ExitCode == 0, encrypt.ToString());
        Assert.NotEqual(await File.ReadAllBytesAsync(plainFile), await File.ReadAllBytesAsync(cipher));
        var decrypt = await Pkcs11Tool.RunLoggedInAsync(decryptor, "--decrypt", "--mechanism", "AES-CBC", "--iv", Iv,
            "--label", decryptor.KeyLabel, "--input-file", cipher, "--output-file", back);
        Assert.True(decrypt.ExitCode == 0, decrypt.ToString());
        return await File.ReadAllBytesAsync(back);
    }
}

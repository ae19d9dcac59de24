using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

public sealed class LunaPersistenceTests : LunaSandboxTest
{
    [Fact]
    public async Task Restart_WithPersistState_ReusesTokenPinsKeyAndPort()
    {
        var first = await StartAvailableAsync(persist: true);
        var (pin, port, serial) = (first.UserPin, first.NtlsPort, await TokenSerialAsync(first));
        await StopAsync(first);

        var second = await StartAvailableAsync(persist: true);

        Assert.Equal(pin, second.UserPin);
        Assert.Equal(port, second.NtlsPort);
        Assert.Equal(serial, await TokenSerialAsync(second));
        Assert.Single(await ListKeysAsync(second, LunaSandbox.DefaultKeyLabel));
        Assert.Contains(Logs.Entries, e => e.Message.Contains("reuses SoftHSM2 token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WithPersistState_DecryptsWhatTheFirstStartEncrypted()
    {
        var first = await StartAvailableAsync(persist: true);
        var plain = Path.Combine(DataDirectory, "plain.bin");
        await File.WriteAllBytesAsync(plain, Enumerable.Range(0, 48).Select(i => (byte)i).ToArray());
        var cipher = plain + ".first";
        var encrypt = await Pkcs11Tool.RunLoggedInAsync(first, "--encrypt", "--mechanism", "AES-CBC", "--iv", new string('0', 32),
            "--label", first.KeyLabel, "--input-file", plain, "--output-file", cipher);
        Assert.True(encrypt.ExitCode == 0, encrypt.ToString());
        await StopAsync(first);

        var second = await StartAvailableAsync(persist: true);
        var back = plain + ".back";
        var decrypt = await Pkcs11Tool.RunLoggedInAsync(second, "--decrypt", "--mechanism", "AES-CBC", "--iv", new string('0', 32),
            "--label", second.KeyLabel, "--input-file", cipher, "--output-file", back);

        Assert.True(decrypt.ExitCode == 0, decrypt.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(plain), await File.ReadAllBytesAsync(back));
    }

    [Fact]
    public async Task Restart_WithoutPersistState_CreatesFreshTokenAndTheOldPinNoLongerWorks()
    {
        var first = await StartAvailableAsync();
        var (oldPin, oldSerial) = (first.UserPin, await TokenSerialAsync(first));
        await StopAsync(first);

        var second = await StartAvailableAsync();
        var oldLogin = await Pkcs11Tool.RunAsync(second, "--login", "--pin", oldPin, "--list-objects");

        Assert.NotEqual(oldPin, second.UserPin);
        Assert.NotEqual(oldSerial, await TokenSerialAsync(second));
        Assert.Contains("CKR_PIN_INCORRECT", oldLogin.Error, StringComparison.Ordinal);
        Assert.Single(await ListKeysAsync(second, LunaSandbox.DefaultKeyLabel));
    }

    [Fact]
    public async Task Restart_AfterKeyDeleted_GeneratesTheKeyAgainOnTheSameToken()
    {
        var first = await StartAvailableAsync(persist: true);
        var serial = await TokenSerialAsync(first);
        var delete = await Pkcs11Tool.RunLoggedInAsync(first, "--delete-object", "--type", "secrkey", "--label", first.KeyLabel);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(await ListKeysAsync(first, LunaSandbox.DefaultKeyLabel));
        await StopAsync(first);

        var second = await StartAvailableAsync(persist: true);

        Assert.Equal(serial, await TokenSerialAsync(second));
        Assert.Single(await ListKeysAsync(second, LunaSandbox.DefaultKeyLabel));
        Assert.Contains(Logs.Warnings, e => e.Message.Contains("has no key openkcm-l1 any more", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WithASecondKeyUnderTheLabel_IsUnavailableAndSaysSo()
    {
        var first = await StartAvailableAsync(persist: true);
        var pin = first.UserPin;
        var add = await Pkcs11Tool.RunLoggedInAsync(first, "--keygen", "--key-type", "AES:32", "--label", first.KeyLabel,
            "--sensitive", "--private", "--usage-decrypt");
        Assert.True(add.ExitCode == 0, add.ToString());
        await StopAsync(first);

        var second = await StartAsync(persist: true);

        Assert.False(second.IsAvailable);
        Assert.Contains("holds 2 secret keys labelled openkcm-l1, not exactly one", second.UnavailableReason, StringComparison.Ordinal);
        Assert.DoesNotContain(pin, second.UnavailableReason!, StringComparison.Ordinal);
        Assert.Empty(second.Appliances);
        Assert.Throws<InvalidOperationException>(second.ManifestEntry);
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("not available", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WhenTheL1KeyWasReplacedByAnExtractableOne_IsUnavailableAndSaysItCanLeaveTheToken()
    {
        var first = await StartAvailableAsync(persist: true);
        var delete = await Pkcs11Tool.RunLoggedInAsync(first, "--delete-object", "--type", "secrkey", "--label", first.KeyLabel);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var add = await Pkcs11Tool.RunLoggedInAsync(first, "--keygen", "--key-type", "AES:32", "--label", first.KeyLabel,
            "--extractable", "--private", "--usage-decrypt", "--usage-wrap");
        Assert.True(add.ExitCode == 0, add.ToString());
        var value = Items(Assert.Single(await ListKeysAsync(first, first.KeyLabel)), "VALUE").Single();
        await StopAsync(first);

        var second = await StartAsync(persist: true);

        Assert.False(second.IsAvailable);
        Assert.Equal(64, value.Length);
        Assert.DoesNotContain(value, second.UnavailableReason!, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(value, Logs.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("is not a proper L1 key: it is extractable", second.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains("it is not sensitive", second.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_WithCorruptStateFile_MovesItAsideAndCreatesAFreshToken()
    {
        var first = await StartAvailableAsync(persist: true);
        var oldPin = first.UserPin;
        await StopAsync(first);
        await File.WriteAllTextAsync(StatePath, "{\"format\": 1, \"token_label\": ");

        var second = await StartAvailableAsync(persist: true);

        Assert.NotEqual(oldPin, second.UserPin);
        Assert.Single(Directory.GetFiles(DataDirectory, LunaSandbox.StateFileName + ".corrupt-*"));
        Assert.Contains(Logs.Warnings, e => e.Message.Contains("cannot use its state file", StringComparison.Ordinal));
        Assert.Single(await ListKeysAsync(second, LunaSandbox.DefaultKeyLabel));
    }

    [Fact]
    public async Task Restart_WhenTheTokenDirectoryIsGone_CreatesAFreshToken()
    {
        var first = await StartAvailableAsync(persist: true);
        var oldPin = first.UserPin;
        await StopAsync(first);
        Directory.Delete(Path.Combine(DataDirectory, LunaSandbox.SoftHsmDirectoryName), recursive: true);

        var second = await StartAvailableAsync(persist: true);

        Assert.NotEqual(oldPin, second.UserPin);
        Assert.Single(await ListKeysAsync(second, LunaSandbox.DefaultKeyLabel));
        Assert.Contains(Logs.Warnings, e => e.Message.Contains("is gone", StringComparison.Ordinal));
    }

    /// <summary>The token's serial number as <c>pkcs11-tool --list-token-slots</c> prints it.</summary>
    private static async Task<string> TokenSerialAsync(LunaSandbox luna)
    {
        var run = await Pkcs11Tool.RunAsync(luna.SoftHsmConfPath, ["--module", luna.ModulePath, "--list-token-slots"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n').Select(l => l.Trim()).ToList();
        var label = lines.FindIndex(l => l.StartsWith("token label", StringComparison.Ordinal) && l.EndsWith(": " + luna.TokenLabel, StringComparison.Ordinal));
        Assert.True(label >= 0, run.ToString());
        return lines.Skip(label).First(l => l.StartsWith("serial num", StringComparison.Ordinal)).Split(':')[1].Trim();
    }
}

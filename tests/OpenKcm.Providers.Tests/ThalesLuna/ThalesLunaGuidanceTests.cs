using System.Diagnostics;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.Tests.ThalesLuna;

public sealed class ThalesLunaGuidanceTests
{
    private readonly ThalesLunaPlugin _plugin = new(TimeProvider.System);

    [Fact]
    public void Guidance_SeedConfiguration_RendersPartitionClientKeyAndPolicyFromTheValues()
    {
        var settings = LunaTestSettings.For(1792, partition: "openkcm_partition", key: "openkcm-l1")
            .With(F.HsmIpAddresses, "192.168.1.100\n192.168.1.101")
            .With(F.Pkcs11LibraryPath, F.DefaultLibraryPath);
        var guidance = _plugin.GetPermissionGuidance(settings);
        var all = string.Join("\n", guidance.Blocks.Select(b => b.Content));

        Assert.Contains("partition create -partition openkcm_partition", all, StringComparison.Ordinal);
        Assert.Contains("client assignPartition -client openkcm-console -partition openkcm_partition", all, StringComparison.Ordinal);
        Assert.Contains("clientIdentificationPolicy create -partition openkcm_partition", all, StringComparison.Ordinal);
        Assert.Contains("-keyType=AES -keySize=32 -label=openkcm-l1", all, StringComparison.Ordinal);
        Assert.Contains("-sensitive=1 -extractable=0", all, StringComparison.Ordinal);
        Assert.Contains("destination: \"192.168.1.101:1792\"", all, StringComparison.Ordinal);
        Assert.Equal(2, guidance.Blocks.Single(b => b.Language == "yaml").Content.Split("protocol: \"PKCS#11\"").Length - 1);
    }

    [Fact]
    public void Guidance_HostileKeyLabel_IsOneShellWordThatRunsNothing()
    {
        const string Label = "x' $(touch /tmp/pwned) `id` ;rm -rf ~";
        var guidance = _plugin.GetPermissionGuidance(LunaTestSettings.For(1792, key: Label));
        var bash = guidance.Blocks.Single(b => b.Title.Contains("L1 key", StringComparison.Ordinal)).Content;
        var line = bash.Split('\n').First(l => l.Contains("pkcs11-tool", StringComparison.Ordinal) || l.Contains("--label", StringComparison.Ordinal));
        Assert.DoesNotContain("$(touch", line.Replace("'x'\\'' $(touch", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // sh itself decides: printf the quoted word and get the exact label back.
        var quoted = bash.Split("--label ")[1].Split('\n')[0].Trim();
        Assert.Equal(Label, RunSh("printf '%s' " + quoted));
    }

    [Fact]
    public void Guidance_NothingEntered_UsesQuotedPlaceholders()
    {
        var guidance = _plugin.GetPermissionGuidance(KeystoreSettings.Empty);
        var all = string.Join("\n", guidance.Blocks.Select(b => b.Content));
        Assert.Contains("\"<partition_label>\"", all, StringComparison.Ordinal);
        Assert.Contains("'<key_label>'", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Guidance_SavedKeystore_NamesTheClientAfterIt()
    {
        var settings = LunaTestSettings.For(1792).WithContext(new KeystoreContext(Guid.NewGuid(), "Datacenter Primary HSM", Guid.NewGuid(), "default"));
        var all = string.Join("\n", _plugin.GetPermissionGuidance(settings).Blocks.Select(b => b.Content));
        Assert.Contains("client register -client openkcm-datacenter-primary-hsm", all, StringComparison.Ordinal);
    }

    private static string RunSh(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
        return output;
    }
}

using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

public sealed class OpenBaoDescriptorTests
{
    private readonly PluginDescriptor _descriptor = OpenBaoTestSettings.Plugin().Descriptor;

    [Fact]
    public void Descriptor_Always_IsTheSeedsOpenBaoKind()
    {
        Assert.Equal("openbao", _descriptor.Kind);
        Assert.Equal("OpenBao (Vault-compatible)", _descriptor.DisplayName);
    }

    [Fact]
    public void Fields_Always_AreNamedAsInTheSeedJsonInDisplayOrder()
    {
        Assert.Equal(
            ["vault_address", "auth_method", "role_id", "secret_id", "secret_id_path", "mount_path", "key_name", "namespace", "ca_certificate"],
            _descriptor.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Fields_Always_HaveTheDocumentedTypesAndRequiredFlags()
    {
        Assert.Equal(FieldType.Url, _descriptor.FindField("vault_address")!.Type);
        Assert.True(_descriptor.FindField("vault_address")!.Required);
        var auth = _descriptor.FindField("auth_method")!;
        Assert.Equal(FieldType.Choice, auth.Type);
        Assert.Equal(["approle"], auth.Choices.ToArray());
        Assert.Equal("approle", auth.DefaultValue);
        Assert.True(_descriptor.FindField("secret_id")!.IsSecret);
        Assert.False(_descriptor.FindField("secret_id")!.Required);
        Assert.Equal(FieldType.Text, _descriptor.FindField("secret_id_path")!.Type);
        Assert.Equal(FieldType.Pem, _descriptor.FindField("ca_certificate")!.Type);
        Assert.All(["role_id", "mount_path", "key_name"], n => Assert.True(_descriptor.FindField(n)!.Required));
        Assert.All(["namespace", "ca_certificate", "secret_id_path"], n => Assert.False(_descriptor.FindField(n)!.Required));
        Assert.All(_descriptor.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Help)));
    }

    [Fact]
    public void Checks_Always_RunInTheDocumentedOrder()
    {
        Assert.Equal(
            ["server_health", "authenticate", "token_lifecycle", "key_access", "encrypt_decrypt", "policy_enforcement"],
            _descriptor.Checks.Select(c => c.Id));
    }

    [Fact]
    public void DefaultThresholds_Always_Are250MsThreeFailuresFiveSeconds()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), _descriptor.DefaultThresholds.WarningLatency);
        Assert.Equal(3, _descriptor.DefaultThresholds.CriticalAfterConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(5), _descriptor.DefaultThresholds.ProbeTimeout);
    }
}

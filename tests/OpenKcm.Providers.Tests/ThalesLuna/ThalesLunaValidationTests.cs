using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.Tests.ThalesLuna;

public sealed class ThalesLunaValidationTests
{
    private static readonly ImmutableHashSet<string> s_pinSet = [F.PartitionPin];
    private readonly ThalesLunaPlugin _plugin = new(TimeProvider.System);

    [Fact]
    public void Validate_SeedLikeConfiguration_HasNoErrors()
    {
        using var identity = new LunaIdentity();
        var settings = LunaTestSettings.For(1792, identity: identity).With(F.HsmIpAddresses, "192.168.1.100\n192.168.1.101\nhsm-a.example.com\nfd00::10")
            .With(F.SlotId, "1");
        Assert.Empty(_plugin.Validate(settings, s_pinSet));
    }

    [Fact]
    public void Validate_NothingEntered_NamesEveryRequiredField()
    {
        var fields = _plugin.Validate(KeystoreSettings.Empty, ImmutableHashSet<string>.Empty).Select(e => e.Field).ToHashSet();
        Assert.Superset(new HashSet<string> { F.HsmIpAddresses, F.PartitionLabel, F.Pkcs11LibraryPath, F.PartitionPin, F.KeyLabel }, fields);
    }

    [Theory]
    [InlineData("192.168.1.100:1792", "has a port")]
    [InlineData("not a host", "neither an IP address nor a host name")]
    [InlineData("10.0.0.1\n10.0.0.1", "listed twice")]
    public void Validate_BadAddress_IsAFieldError(string addresses, string expected) =>
        AssertError(LunaTestSettings.For(1792).With(F.HsmIpAddresses, addresses), F.HsmIpAddresses, expected);

    [Theory]
    [InlineData(F.NtlsPort, "70000", "not a TCP port")]
    [InlineData(F.SlotId, "-1", "not a slot number")]
    [InlineData(F.PartitionLabel, "a-partition-label-longer-than-32-bytes", "at most 32 bytes")]
    [InlineData(F.PartitionLabel, "with\"quote", "no line breaks or double quotes")]
    [InlineData(F.Pkcs11LibraryPath, "libCryptoki2_64.so", "absolute path")]
    [InlineData(F.KeyLabel, "line\nbreak", "without line breaks")]
    public void Validate_BadValue_IsAFieldError(string field, string value, string expected) =>
        AssertError(LunaTestSettings.For(1792).With(field, value), field, expected);

    [Fact]
    public void Validate_MalformedPem_IsAFieldError() =>
        AssertError(LunaTestSettings.For(1792).With(F.ClientCertificate, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----"),
            F.ClientCertificate, "could not be read");

    [Fact]
    public void Validate_NotPemAtAll_IsAFieldError() =>
        AssertError(LunaTestSettings.For(1792).With(F.CaCertificate, "thales_ca_cert.pem"), F.CaCertificate, "No certificate found");

    [Fact]
    public void Validate_PrivateKeyInTheCertificateField_IsRefused()
    {
        using var identity = new LunaIdentity();
        var errors = _plugin.Validate(LunaTestSettings.For(1792).With(F.ClientCertificate, identity.KeyPem), s_pinSet);
        var error = Assert.Single(errors, e => e.Field == F.ClientCertificate);
        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MI", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExpiredClientCertificate_IsAFieldError()
    {
        using var identity = new LunaIdentity(DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddHours(-1));
        AssertError(LunaTestSettings.For(1792, identity: identity), F.ClientCertificate, "expired");
    }

    [Fact]
    public void Validate_NotYetValidClientCertificate_IsAFieldError()
    {
        using var identity = new LunaIdentity(DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(30));
        AssertError(LunaTestSettings.For(1792, identity: identity), F.ClientCertificate, "not valid yet");
    }

    [Fact]
    public void Validate_ClientCertificateFromAnotherCa_IsAFieldError()
    {
        using var identity = new LunaIdentity();
        using var other = new LunaIdentity();
        AssertError(LunaTestSettings.For(1792, identity: identity).With(F.CaCertificate, other.CaPem), F.ClientCertificate, "not issued by the CA");
    }

    [Fact]
    public void Descriptor_HasTheSeedFieldsAndThe45MsWarning()
    {
        var d = _plugin.Descriptor;
        Assert.Equal("thales_luna", d.Kind);
        Assert.Equal([F.HsmIpAddresses, F.NtlsPort, F.PartitionLabel, F.SlotId, F.Pkcs11LibraryPath, F.PartitionPin, F.KeyLabel,
            F.ClientCertificate, F.ClientPrivateKey, F.CaCertificate], d.Fields.Select(f => f.Name));
        Assert.Equal(FieldType.SecretPem, d.FindField(F.ClientPrivateKey)!.Type);
        Assert.Equal(FieldType.Secret, d.FindField(F.PartitionPin)!.Type);
        Assert.Equal(FieldType.StringList, d.FindField(F.HsmIpAddresses)!.Type);
        Assert.Equal("1792", d.FindField(F.NtlsPort)!.DefaultValue);
        Assert.Equal(F.DefaultLibraryPath, d.FindField(F.Pkcs11LibraryPath)!.DefaultValue);
        Assert.Equal(TimeSpan.FromMilliseconds(45), d.DefaultThresholds.WarningLatency);
        Assert.Equal(["client_certificates", "network_connectivity", "pkcs11_interface", "login", "key_access", "encrypt_decrypt", "latency"],
            d.Checks.Select(c => c.Id));
    }

    private void AssertError(KeystoreSettings settings, string field, string expected)
    {
        var errors = _plugin.Validate(settings, s_pinSet);
        Assert.Contains(errors, e => e.Field == field && e.Message.Contains(expected, StringComparison.Ordinal));
    }
}

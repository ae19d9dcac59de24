using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

public sealed class OpenBaoValidationTests
{
    private readonly OpenBaoPlugin _plugin = OpenBaoTestSettings.Plugin();

    private IReadOnlyList<FieldError> Validate(KeystoreSettings settings, bool secretStored = true) =>
        _plugin.Validate(settings, secretStored ? OpenBaoTestSettings.SecretIdStored : OpenBaoTestSettings.NoSecrets);

    private static void AssertOnlyError(IReadOnlyList<FieldError> errors, string field) =>
        Assert.Equal([field], errors.Select(e => e.Field).Distinct());

    [Fact]
    public void Validate_SeedConfigurationWithStoredSecret_HasNoErrors()
    {
        Assert.Empty(Validate(OpenBaoTestSettings.Seed()));
    }

    [Fact]
    public void Validate_SeedConfigurationWithSecretIdPath_HasNoErrors()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/etc/openkcm/openbao-secret-id");

        Assert.Empty(Validate(settings, secretStored: false));
    }

    [Fact]
    public void Validate_NeitherSecretIdNorPath_NamesSecretId()
    {
        var errors = Validate(OpenBaoTestSettings.Seed(), secretStored: false);

        AssertOnlyError(errors, "secret_id");
        Assert.Contains("secret_id_path", errors[0].Message);
    }

    [Fact]
    public void Validate_BothSecretIdAndPath_NamesSecretIdPath()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/etc/openkcm/openbao-secret-id");

        AssertOnlyError(Validate(settings, secretStored: true), "secret_id_path");
    }

    [Theory]
    [InlineData("openbao-secret-id")]
    [InlineData("./secrets/openbao")]
    [InlineData("~/openbao-secret-id")]
    public void Validate_RelativeSecretIdPath_IsRejected(string path)
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", path);

        AssertOnlyError(Validate(settings, secretStored: false), "secret_id_path");
    }

    [Theory]
    [InlineData("/var/lib/openkcm/kek.key")]
    [InlineData("/proc/self/environ")]
    [InlineData("/etc/passwd")]
    [InlineData("/etc/openkcm")]
    [InlineData("/etc/openkcm/")]
    [InlineData("/etc/openkcm-other/openbao-secret-id")]
    [InlineData("/etc/openkcmx")]
    public void Validate_SecretIdPathOutsideTheAllowedDirectories_IsRefusedNamingThemAndTheConfigurationKey(string path)
    {
        var errors = Validate(OpenBaoTestSettings.Seed().With("secret_id_path", path), secretStored: false);

        AssertOnlyError(errors, "secret_id_path");
        Assert.Contains("/etc/openkcm", errors[0].Message);
        Assert.Contains("OpenKcm:OpenBao:SecretIdDirectories", errors[0].Message);
    }

    [Theory]
    [InlineData("/etc/openkcm/../passwd")]
    [InlineData("/etc/openkcm/sub/../../shadow")]
    [InlineData("/etc/openkcm/./../openkcm-other/openbao-secret-id")]
    [InlineData("/etc/openkcm/../../proc/self/environ")]
    public void Validate_DotDotLeavingTheAllowedDirectory_IsRefused(string path)
    {
        var errors = Validate(OpenBaoTestSettings.Seed().With("secret_id_path", path), secretStored: false);

        AssertOnlyError(errors, "secret_id_path");
        Assert.Contains("OpenKcm:OpenBao:SecretIdDirectories", errors[0].Message);
    }

    [Fact]
    public void Validate_DotDotStayingInsideTheAllowedDirectory_HasNoErrors()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/etc/openkcm/sub/../openbao-secret-id");

        Assert.Empty(Validate(settings, secretStored: false));
    }

    [Theory]
    [InlineData("/etc/openkcm/secret id")]
    [InlineData("/etc/openkcm/it's")]
    [InlineData("/etc/openkcm/$(id)")]
    [InlineData("/etc/openkcm/`id`")]
    [InlineData("/etc/openkcm/a;rm -rf ~")]
    [InlineData("/etc/openkcm/a\nb")]
    [InlineData("/etc/openkcm/secr\u00e9t")]
    [InlineData("/etc/openkcm/*")]
    public void Validate_SecretIdPathWithCharactersOutsideTheSafeSet_IsRefused(string path)
    {
        var errors = Validate(OpenBaoTestSettings.Seed().With("secret_id_path", path), secretStored: false);

        AssertOnlyError(errors, "secret_id_path");
        Assert.Contains("letters, digits", errors[0].Message);
    }

    [Fact]
    public void Validate_DirectoryAddedByConfiguration_AcceptsItsFilesAndKeepsTheDefault()
    {
        var plugin = OpenBaoTestSettings.Plugin(options: new OpenBaoOptions { SecretIdDirectories = { "/run/secrets/openkcm/" } });

        Assert.Empty(plugin.Validate(OpenBaoTestSettings.Seed().With("secret_id_path", "/run/secrets/openkcm/secret-id"), OpenBaoTestSettings.NoSecrets));
        Assert.Empty(plugin.Validate(OpenBaoTestSettings.Seed().With("secret_id_path", "/etc/openkcm/secret-id"), OpenBaoTestSettings.NoSecrets));
        Assert.Contains("/etc/openkcm, /run/secrets/openkcm",
            plugin.Validate(OpenBaoTestSettings.Seed().With("secret_id_path", "/run/secret-id"), OpenBaoTestSettings.NoSecrets).Single().Message);
    }

    [Fact]
    public void Validate_SystemDirectoryAllowedByConfiguration_IsStillRefused()
    {
        var plugin = OpenBaoTestSettings.Plugin(options: new OpenBaoOptions { SecretIdDirectories = { "/proc", "/dev" } });

        Assert.Single(plugin.Validate(OpenBaoTestSettings.Seed().With("secret_id_path", "/proc/self/environ"), OpenBaoTestSettings.NoSecrets));
        Assert.Single(plugin.Validate(OpenBaoTestSettings.Seed().With("secret_id_path", "/dev/zero"), OpenBaoTestSettings.NoSecrets));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/secrets")]
    [InlineData("/")]
    [InlineData("/etc/..")]
    public void Plugin_SecretIdDirectoryThatIsRelativeOrTheRoot_IsRefused(string directory)
    {
        var ex = Assert.Throws<ArgumentException>(
            () => OpenBaoTestSettings.Plugin(options: new OpenBaoOptions { SecretIdDirectories = { directory } }));

        Assert.Contains("OpenKcm:OpenBao:SecretIdDirectories", ex.Message);
    }

    [Fact]
    public void Parse_StoredConfigurationWithAPathNoLongerAllowed_IsRefusedBeforeAnyRead()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/var/lib/openkcm/kek.key");

        var ex = Assert.Throws<KeystoreException>(() => OpenBaoConfiguration.Parse(settings, new SecretIdLocations(["/etc/openkcm"])));

        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Contains("secret_id_path", ex.Message);
    }

    [Theory]
    [InlineData("https://openbao.company.internal:8200")]
    [InlineData("https://10.0.0.5:8200")]
    [InlineData("https://openbao.company.internal/vault")]
    [InlineData("http://127.0.0.1:8200")]
    [InlineData("http://localhost:8200")]
    [InlineData("http://[::1]:8200")]
    public void Validate_AcceptableAddress_HasNoErrors(string address)
    {
        Assert.Empty(Validate(OpenBaoTestSettings.Seed(address)));
    }

    [Theory]
    [InlineData("openbao.company.internal:8200")]
    [InlineData("/v1/sys/health")]
    [InlineData("ftp://openbao.company.internal")]
    [InlineData("https://openbao.company.internal:8200/v1")]
    [InlineData("https://openbao.company.internal:8200/?x=1")]
    [InlineData("https://user:pw@openbao.company.internal:8200")]
    public void Validate_MalformedAddress_IsRejected(string address)
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed(address)), "vault_address");
    }

    [Fact]
    public void Validate_PlainHttpToRemoteHost_IsRejectedSayingWhy()
    {
        var errors = Validate(OpenBaoTestSettings.Seed("http://openbao.company.internal:8200"));

        AssertOnlyError(errors, "vault_address");
        Assert.Contains("https", errors[0].Message);
        Assert.Contains("loopback", errors[0].Message);
    }

    [Fact]
    public void Validate_MissingRequiredFields_NamesEach()
    {
        var errors = Validate(KeystoreSettings.Empty);

        Assert.Equal(["vault_address", "role_id", "mount_path", "key_name"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Validate_OtherAuthMethod_IsRejected()
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed().With("auth_method", "jwt")), "auth_method");
    }

    [Theory]
    [InlineData("openkcm-keys")]
    [InlineData("openkcm-keys/")]
    [InlineData("team-a/transit")]
    [InlineData("transit_v2.prod")]
    public void Validate_GoodMountPath_HasNoErrors(string mount)
    {
        Assert.Empty(Validate(OpenBaoTestSettings.Seed().With("mount_path", mount)));
    }

    [Theory]
    [InlineData("openkcm keys")]
    [InlineData("sys")]
    [InlineData("auth/transit")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("keys*")]
    public void Validate_BadMountPath_IsRejected(string mount)
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed().With("mount_path", mount)), "mount_path");
    }

    [Theory]
    [InlineData("customer-master-key")]
    [InlineData("cmk_2026.v1")]
    [InlineData("k")]
    [InlineData("tenant@acme")]
    public void Validate_GoodKeyName_HasNoErrors(string key)
    {
        Assert.Empty(Validate(OpenBaoTestSettings.Seed().With("key_name", key)));
    }

    [Theory]
    [InlineData("-leading-dash")]
    [InlineData("trailing.")]
    [InlineData("has/slash")]
    [InlineData("has space")]
    public void Validate_BadKeyName_IsRejected(string key)
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed().With("key_name", key)), "key_name");
    }

    [Theory]
    [InlineData("team-a")]
    [InlineData("team-a/")]
    [InlineData("team-a/prod/")]
    public void Validate_GoodNamespace_HasNoErrors(string ns)
    {
        Assert.Empty(Validate(OpenBaoTestSettings.Seed().With("namespace", ns)));
    }

    [Theory]
    [InlineData("team a")]
    [InlineData("root")]
    [InlineData("team-a//prod")]
    [InlineData("team-a/sys")]
    public void Validate_BadNamespace_IsRejected(string ns)
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed().With("namespace", ns)), "namespace");
    }

    [Fact]
    public void Validate_CaCertificatePem_HasNoErrors()
    {
        using var ca = TestCertificates.CreateCa();

        Assert.Empty(Validate(OpenBaoTestSettings.Seed().With("ca_certificate", TestCertificates.Pem(ca))));
    }

    [Theory]
    [InlineData("not a certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")]
    public void Validate_GarbageCaCertificate_IsRejected(string pem)
    {
        AssertOnlyError(Validate(OpenBaoTestSettings.Seed().With("ca_certificate", pem)), "ca_certificate");
    }

    [Fact]
    public void Validate_CaCertificateWithPrivateKey_IsRejectedSayingSo()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var pem = key.ExportPkcs8PrivateKeyPem();

        var errors = Validate(OpenBaoTestSettings.Seed().With("ca_certificate", pem));

        AssertOnlyError(errors, "ca_certificate");
        Assert.Contains("private key", errors[0].Message);
    }
}

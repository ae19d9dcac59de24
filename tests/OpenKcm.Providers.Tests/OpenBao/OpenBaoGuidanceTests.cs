using System.Text.RegularExpressions;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

public sealed partial class OpenBaoGuidanceTests
{
    private readonly OpenBaoPlugin _plugin = OpenBaoTestSettings.Plugin();

    [Fact]
    public void Policy_SeedConfiguration_GrantsExactlyTheTransitAndTokenPaths()
    {
        var policy = _plugin.GetPermissionGuidance(OpenBaoTestSettings.Seed()).Blocks.Single(b => b.Language == "hcl").Content;

        var stanzas = StanzaRegex().Matches(policy).Select(m => (m.Groups["path"].Value, m.Groups["caps"].Value)).ToList();
        Assert.Equal(
            [
                ("openkcm-keys/keys/customer-master-key", "\"read\""),
                ("openkcm-keys/encrypt/customer-master-key", "\"update\""),
                ("openkcm-keys/decrypt/customer-master-key", "\"update\""),
                ("auth/token/lookup-self", "\"read\""),
                ("auth/token/renew-self", "\"update\""),
            ],
            stanzas);
    }

    [Fact]
    public void Policy_SeedConfiguration_DoesNotUseTheSeedsKvV2DataPath()
    {
        var policy = _plugin.GetPermissionGuidance(OpenBaoTestSettings.Seed()).Blocks.Single(b => b.Language == "hcl").Content;

        Assert.DoesNotContain("/data/", policy);
        Assert.DoesNotContain("*", policy);
        Assert.DoesNotContain("create", policy);
    }

    [Fact]
    public void Guidance_SeedConfiguration_HasPolicyTransitAndAppRoleBlocks()
    {
        var guidance = _plugin.GetPermissionGuidance(OpenBaoTestSettings.Seed());

        Assert.Equal(["hcl", "bash", "bash"], guidance.Blocks.Select(b => b.Language));
        var commands = string.Join("\n", guidance.Blocks.Where(b => b.Language == "bash").Select(b => b.Content));
        Assert.Contains("bao secrets enable -path=openkcm-keys transit", commands);
        Assert.Contains("bao write openkcm-keys/keys/customer-master-key type=aes256-gcm96", commands);
        Assert.Contains("bao auth enable approle", commands);
        Assert.Contains("bao policy write openkcm-policy openkcm-policy.hcl", commands);
        Assert.Contains("bao write auth/approle/role/openkcm-service", commands);
        Assert.Contains("token_policies=openkcm-policy", commands);
        Assert.Contains("token_no_default_policy=true", commands);
        Assert.Contains("token_ttl=1h", commands);
        Assert.Contains("token_max_ttl=4h", commands);
        Assert.Contains("bind_secret_id=true", commands);
        Assert.Contains("bao read -field=role_id auth/approle/role/openkcm-service/role-id", commands);
        Assert.Contains("bao write -f -field=secret_id auth/approle/role/openkcm-service/secret-id", commands);
        Assert.Contains("openkcm-policy", guidance.Summary);
    }

    [Fact]
    public void Guidance_Namespace_AddsTheNamespaceFlagToEveryCommand()
    {
        var guidance = _plugin.GetPermissionGuidance(OpenBaoTestSettings.Seed().With("namespace", "team-a/prod/"));

        var commands = guidance.Blocks.Where(b => b.Language == "bash")
            .SelectMany(b => BaoCommandRegex().Matches(b.Content).Select(m => m.Value))
            .ToList();
        Assert.NotEmpty(commands);
        Assert.All(commands, c => Assert.Contains("-namespace=team-a/prod ", c));
        Assert.Contains("team-a/prod", guidance.Summary);
    }

    [Fact]
    public void Guidance_SecretIdPath_WritesTheSecretIdToThatFilePrivately()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/etc/openkcm/openbao-secret-id");

        var commands = string.Join("\n", _plugin.GetPermissionGuidance(settings).Blocks.Select(b => b.Content));

        Assert.Contains("(umask 077; bao write -f -field=secret_id auth/approle/role/openkcm-service/secret-id > /etc/openkcm/openbao-secret-id)", commands);
    }

    [Fact]
    public void AppRoleCommands_SecretIdPathWithASpaceAndAQuote_QuotesItForTheShell()
    {
        var guidance = new OpenBaoGuidance("openkcm-keys", "customer-master-key", null, "/etc/openkcm/it's a file", new OpenBaoOptions());

        var commands = guidance.AppRoleCommands();

        Assert.Contains(
            "(umask 077; bao write -f -field=secret_id auth/approle/role/openkcm-service/secret-id > '/etc/openkcm/it'\\''s a file')",
            commands);
    }

    [Fact]
    public void Commands_HostileValues_AreQuotedWhereverTheyAppear()
    {
        var options = new OpenBaoOptions { RoleName = "role`id`", PolicyName = "policy $(id)" };
        var guidance = new OpenBaoGuidance("keys; touch x", "key'name", "team a", "/etc/openkcm/$(id)", options);

        Assert.Equal("bao secrets enable '-namespace=team a' '-path=keys; touch x' transit", guidance.EnableTransitCommand());
        Assert.Equal("bao write '-namespace=team a' 'keys; touch x/keys/key'\\''name' type=aes256-gcm96", guidance.CreateKeyCommand());
        Assert.Equal("bao read '-namespace=team a' -field=role_id 'auth/approle/role/role`id`/role-id'", guidance.ReadRoleIdCommand());
        Assert.Equal("bao policy write '-namespace=team a' 'policy $(id)' 'policy $(id).hcl'", guidance.WritePolicyCommand());
        var appRole = guidance.AppRoleCommands();
        Assert.Contains("'token_policies=policy $(id)'", appRole);
        Assert.Contains("> '/etc/openkcm/$(id)')", appRole);
        Assert.Contains("grep -qF '\"keys; touch x/\"'", guidance.TransitCommands());
    }

    [Fact]
    public void Commands_ValueWithALineBreak_CannotEndAComment()
    {
        var guidance = new OpenBaoGuidance("openkcm-keys", "customer-master-key", null, "/etc/openkcm/x\ntouch /tmp/pwned", new OpenBaoOptions());

        var comments = guidance.AppRoleCommands().Split('\n').Where(l => l.StartsWith('#'));

        Assert.Contains(comments, c => c.Contains("/etc/openkcm/x?touch /tmp/pwned", StringComparison.Ordinal));
    }

    [Fact]
    public void Guidance_IncompleteSettings_QuotesThePlaceholdersInCommands()
    {
        var settings = OpenBaoTestSettings.Seed().With("mount_path", null).With("key_name", "bad name");

        var commands = _plugin.GetPermissionGuidance(settings).Blocks[1].Content;

        Assert.Contains("bao write '<mount_path>/keys/<key_name>' type=aes256-gcm96", commands);
    }

    [Fact]
    public void Guidance_SecretIdPathOutsideTheAllowedDirectories_IsLeftOutOfTheCommands()
    {
        var settings = OpenBaoTestSettings.Seed().With("secret_id_path", "/var/lib/openkcm/kek.key");

        var commands = string.Join("\n", _plugin.GetPermissionGuidance(settings).Blocks.Select(b => b.Content));

        Assert.DoesNotContain("kek.key", commands);
    }

    [Fact]
    public void Guidance_IncompleteSettings_UsesPlaceholders()
    {
        var settings = OpenBaoTestSettings.Seed().With("mount_path", null).With("key_name", "bad name");

        var policy = _plugin.GetPermissionGuidance(settings).Blocks[0].Content;

        Assert.Contains("path \"<mount_path>/encrypt/<key_name>\"", policy);
    }

    [Fact]
    public void Guidance_MountWithSlashes_IsNormalized()
    {
        var policy = _plugin.GetPermissionGuidance(OpenBaoTestSettings.Seed().With("mount_path", "/openkcm-keys/")).Blocks[0].Content;

        Assert.Contains("path \"openkcm-keys/keys/customer-master-key\"", policy);
    }

    [GeneratedRegex("path \"(?<path>[^\"]+)\" \\{\\s*capabilities = \\[(?<caps>[^\\]]*)\\]\\s*\\}")]
    private static partial Regex StanzaRegex();

    [GeneratedRegex(@"\bbao [a-z]+( [a-z]+)? (-[^\n|]*)")]
    private static partial Regex BaoCommandRegex();
}

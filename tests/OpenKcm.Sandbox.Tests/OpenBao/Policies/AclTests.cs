using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.Tests.OpenBao.Policies;

public sealed class AclTests
{
    [Theory]
    [InlineData("secret/data/app", true)]
    [InlineData("secret/data/app/nested", true)]
    [InlineData("secret/datax", true)]
    [InlineData("secret/dat", false)]
    public void Glob_MatchesEveryPathWithThePrefix(string path, bool allowed)
    {
        var acl = Acl("""path "secret/data*" { capabilities = ["read"] }""");

        Assert.Equal(allowed, acl.Allows(path, VaultOperation.Read, requiresSudo: false));
    }

    [Theory]
    [InlineData("transit/team-a/encrypt", true)]
    [InlineData("transit/team-b/encrypt", true)]
    [InlineData("transit/team-a/x/encrypt", false)]
    [InlineData("transit/encrypt", false)]
    public void SegmentWildcard_MatchesExactlyOneSegment(string path, bool allowed)
    {
        var acl = Acl("""path "transit/+/encrypt" { capabilities = ["update"] }""");

        Assert.Equal(allowed, acl.Allows(path, VaultOperation.Update, requiresSudo: false));
    }

    [Fact]
    public void SegmentWildcardWithGlob_MatchesDeeperPaths()
    {
        var acl = Acl("""path "kv/+/data/*" { capabilities = ["read"] }""");

        Assert.True(acl.Allows("kv/team/data/a/b", VaultOperation.Read, requiresSudo: false));
        Assert.False(acl.Allows("kv/team/meta/a", VaultOperation.Read, requiresSudo: false));
    }

    [Fact]
    public void ExactRule_BeatsMatchingGlob()
    {
        var acl = Acl("""
            path "secret/*" { capabilities = ["read", "update"] }
            path "secret/locked" { capabilities = ["read"] }
            """);

        Assert.False(acl.Allows("secret/locked", VaultOperation.Update, requiresSudo: false));
        Assert.True(acl.Allows("secret/other", VaultOperation.Update, requiresSudo: false));
    }

    [Fact]
    public void LongerGlob_BeatsShorterGlob()
    {
        var acl = Acl("""
            path "secret/*" { capabilities = ["read"] }
            path "secret/team/*" { capabilities = ["deny"] }
            """);

        Assert.False(acl.Allows("secret/team/x", VaultOperation.Read, requiresSudo: false));
        Assert.True(acl.Allows("secret/other/x", VaultOperation.Read, requiresSudo: false));
    }

    [Fact]
    public void LaterFirstWildcard_WinsOverEarlierOne()
    {
        var acl = Acl("""
            path "secret/+/config" { capabilities = ["read"] }
            path "secret/team/*" { capabilities = ["update"] }
            """);

        Assert.Equal(Capabilities.Update, acl.CapabilitiesOf("secret/team/config"));
    }

    [Fact]
    public void NoGlob_WinsOverGlobAtSamePosition()
    {
        var acl = Acl("""
            path "secret/+" { capabilities = ["read"] }
            path "secret/*" { capabilities = ["update"] }
            """);

        Assert.Equal(Capabilities.Read, acl.CapabilitiesOf("secret/x"));
    }

    [Fact]
    public void SamePathInTwoPolicies_CapabilitiesAreUnited()
    {
        var acl = new Acl([
            PolicyParser.Parse("a", """path "p" { capabilities = ["read"] }"""),
            PolicyParser.Parse("b", """path "p" { capabilities = ["update"] }"""),
        ]);

        Assert.Equal(Capabilities.Read | Capabilities.Update, acl.CapabilitiesOf("p"));
    }

    [Fact]
    public void DenyInOnePolicy_OverridesGrantInAnother()
    {
        var acl = new Acl([
            PolicyParser.Parse("a", """path "p" { capabilities = ["read"] }"""),
            PolicyParser.Parse("b", """path "p" { capabilities = ["deny"] }"""),
        ]);

        Assert.False(acl.Allows("p", VaultOperation.Read, requiresSudo: false));
    }

    [Fact]
    public void ListOnPathWithSlash_UsesRuleWithoutSlash()
    {
        var acl = Acl("""path "transit/keys" { capabilities = ["list"] }""");

        Assert.True(acl.Allows("transit/keys/", VaultOperation.List, requiresSudo: false));
    }

    [Fact]
    public void RootPath_NeedsSudoBesideTheCapability()
    {
        var withoutSudo = Acl("""path "sys/auth/*" { capabilities = ["update"] }""");
        var withSudo = Acl("""path "sys/auth/*" { capabilities = ["update", "sudo"] }""");

        Assert.False(withoutSudo.Allows("sys/auth/approle", VaultOperation.Update, requiresSudo: true));
        Assert.True(withSudo.Allows("sys/auth/approle", VaultOperation.Update, requiresSudo: true));
    }

    [Fact]
    public void RootPolicy_AllowsEverything()
    {
        var acl = new Acl([AclPolicy.Root]);

        Assert.True(acl.Allows("anything/at/all", VaultOperation.Delete, requiresSudo: true));
    }

    [Fact]
    public void NoMatchingRule_DeniesEverything()
    {
        var acl = Acl("""path "a" { capabilities = ["read"] }""");

        Assert.Equal(["deny"], CapabilityNames.Describe(acl.CapabilitiesOf("b")));
    }

    private static Acl Acl(string text) => new([PolicyParser.Parse("test", text)]);
}

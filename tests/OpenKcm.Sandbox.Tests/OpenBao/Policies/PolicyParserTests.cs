using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.Tests.OpenBao.Policies;

public sealed class PolicyParserTests
{
    [Fact]
    public void Parse_Capabilities_BecomeFlags()
    {
        var policy = PolicyParser.Parse("p", """
            path "transit/encrypt/*" { capabilities = ["create", "update"] }
            path "sys/auth/*" { capabilities = ["sudo", "update", "delete", "read", "list", "patch"] }
            """);

        Assert.Equal(Capabilities.Create | Capabilities.Update, policy.Rules[0].Capabilities);
        Assert.True(policy.Rules[0].IsGlob);
        Assert.Equal("transit/encrypt/", policy.Rules[0].Prefix);
        Assert.True(policy.Rules[1].Capabilities.HasFlag(Capabilities.Sudo));
    }

    [Fact]
    public void Parse_Deny_DropsEveryOtherCapability()
    {
        var policy = PolicyParser.Parse("p", """path "a" { capabilities = ["read", "deny"] }""");

        Assert.Equal(Capabilities.Deny, Assert.Single(policy.Rules).Capabilities);
    }

    [Theory]
    [InlineData("read", "list,read")]
    [InlineData("deny", "deny")]
    [InlineData("write", "create,delete,list,read,update")]
    public void Parse_LegacyPolicyField_MapsToCapabilities(string legacy, string expected)
    {
        var policy = PolicyParser.Parse("p", $$"""path "a" { policy = "{{legacy}}" }""");

        Assert.Equal(expected, string.Join(',', CapabilityNames.Describe(Assert.Single(policy.Rules).Capabilities)));
    }

    [Fact]
    public void Parse_JsonPolicy_MatchesHclPolicy()
    {
        var json = PolicyParser.Parse("p", """{"path": {"a/*": {"capabilities": ["read"]}, "b": {"capabilities": ["list"]}}}""");

        Assert.Equal(["a/*", "b"], json.Rules.Select(r => r.Pattern));
        Assert.Equal([Capabilities.Read, Capabilities.List], json.Rules.Select(r => r.Capabilities));
    }

    [Fact]
    public void Parse_ParameterConstraints_AreAccepted()
    {
        var policy = PolicyParser.Parse("p", """
            path "a" {
              capabilities = ["update"]
              allowed_parameters = { "plaintext" = [] }
              min_wrapping_ttl = "1s"
            }
            """);

        Assert.Equal(Capabilities.Update, Assert.Single(policy.Rules).Capabilities);
    }

    [Theory]
    [InlineData("""path "a" { capabilities = ["reed"] }""", "path \"a\": invalid capability \"reed\"")]
    [InlineData("""path "a" { capabilities = "read" }""", "path \"a\": capabilities must be a list of strings")]
    [InlineData("path \"a\" {\n  capability = [\"read\"]\n}", "path \"a\": invalid key \"capability\" on line 2")]
    [InlineData("\nrules \"a\" {}", "invalid key \"rules\" on line 2")]
    public void Parse_InvalidPolicy_ThrowsWithReason(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PolicyParser.Parse("p", text));

        Assert.Equal(message, error.Message);
    }
}

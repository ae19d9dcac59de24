using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.Tests.OpenBao.Policies;

public sealed class HclParserTests
{
    [Fact]
    public void Parse_PathBlocksWithComments_ReturnsBlocksWithLabelsAndLists()
    {
        var items = HclParser.Parse("""
            # hash comment
            // slash comment
            /* block
               comment */
            path "secret/+/config" {
              capabilities = ["read", "list",] # trailing comma
            }
            path "auth/token/lookup-self" { capabilities = ["read"] }
            """);

        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.True(item.IsBlock));
        Assert.Equal(["secret/+/config"], items[0].Labels);
        var body = Assert.IsAssignableFrom<IReadOnlyList<HclItem>>(items[0].Value);
        Assert.Equal("capabilities", body[0].Key);
        Assert.Equal(["read", "list"], Assert.IsType<List<object?>>(body[0].Value));
        Assert.Equal(8, items[1].Line);
    }

    [Fact]
    public void Parse_Json_IsAcceptedAsHcl()
    {
        var items = HclParser.Parse("""{"path": {"a/*": {"capabilities": ["read"]}}}""");

        var path = Assert.Single(items);
        Assert.False(path.IsBlock);
        var rules = Assert.IsAssignableFrom<IReadOnlyList<HclItem>>(path.Value);
        Assert.Equal("a/*", Assert.Single(rules).Key);
    }

    [Fact]
    public void Parse_ScalarValues_AreTyped()
    {
        var items = HclParser.Parse("""
            text = "a\"b\\c\u0041"
            number = 42.5
            flag = true
            nothing = null
            """);

        Assert.Equal("a\"b\\cA", items[0].Value);
        Assert.Equal(42.5, items[1].Value);
        Assert.Equal(true, items[2].Value);
        Assert.Null(items[3].Value);
    }

    [Theory]
    [InlineData("path \"a\" { capabilities = [\"read\"] ", "At 1: expected '}' before the end of the document")]
    [InlineData("path \"a\" {\n capabilities = [\"read\" \"list\"]\n}", "At 2: expected ',' or ']' in a list")]
    [InlineData("path \"a\n\" {}", "At 1: unterminated string")]
    [InlineData("path \"a\" {} }", "At 1: unexpected '}'")]
    [InlineData("{\"path\": {}} extra", "At 1: unexpected content after the end of the document")]
    [InlineData("/* never closed", "At 1: unterminated comment")]
    public void Parse_MalformedText_ThrowsWithLine(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => HclParser.Parse(text));

        Assert.Equal(message, error.Message);
    }
}

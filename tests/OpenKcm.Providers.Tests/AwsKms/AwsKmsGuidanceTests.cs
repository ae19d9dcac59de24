using System.Text.Json;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

public sealed class AwsKmsGuidanceTests
{
    private readonly AwsKmsPlugin _plugin = AwsKmsTestSettings.Plugin();

    [Fact]
    public void Guidance_KeyArn_GrantsExactlyTheFourKeyActionsOnThatKey()
    {
        var statement = Statement(_plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed()), "Role policy");

        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal(["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Actions(statement));
        Assert.Equal(AwsKmsTestSettings.KeyArn, statement.GetProperty("Resource").GetString());
        Assert.False(statement.TryGetProperty("Condition", out _));
    }

    [Fact]
    public void Guidance_TrustPolicy_RequiresTheExternalId()
    {
        var statement = Statement(_plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed()), "Role trust policy");

        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal("openkcm-external-id-12345", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("sts:ExternalId").GetString());
        Assert.Equal(AwsKmsGuidance.ConsolePrincipalPlaceholder, statement.GetProperty("Principal").GetProperty("AWS").GetString());
    }

    [Fact]
    public void Guidance_KeyPolicyStatement_NamesTheRoleAndTheSameActions()
    {
        var guidance = _plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed());
        using var statement = JsonDocument.Parse(guidance.Blocks.Single(b => b.Title == "Key policy statement").Content);

        Assert.Equal(AwsKmsTestSettings.RoleArn, statement.RootElement.GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal(["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Actions(statement.RootElement));
        Assert.Equal("*", statement.RootElement.GetProperty("Resource").GetString());
    }

    [Fact]
    public void Guidance_ConsolePolicy_AllowsAssumingOnlyThisRole()
    {
        var statement = Statement(_plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed()), "Console principal");

        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal(AwsKmsTestSettings.RoleArn, statement.GetProperty("Resource").GetString());
    }

    [Theory]
    [InlineData("alias/openkcm-l1")]
    [InlineData("arn:aws:kms:us-east-1:123456789012:alias/openkcm-l1")]
    public void Guidance_Alias_GrantsOnlyRequestsThroughTheAlias(string alias)
    {
        var statement = Statement(_plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.KmsKeyId, alias)), "Role policy");

        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/*", statement.GetProperty("Resource").GetString());
        Assert.Equal("alias/openkcm-l1", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("kms:RequestAlias").GetString());
    }

    [Fact]
    public void Guidance_KeyIdWithoutArn_BuildsTheKeyArnInTheRolesAccount()
    {
        var statement = Statement(_plugin.GetPermissionGuidance(
            AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.KmsKeyId, "12345678-1234-1234-1234-123456789012").With(AwsKmsFieldNames.Region, "cn-north-1")
                .With(AwsKmsFieldNames.RoleArn, "arn:aws-cn:iam::123456789012:role/OpenKCM")), "Role policy");

        Assert.Equal("arn:aws-cn:kms:cn-north-1:123456789012:key/12345678-1234-1234-1234-123456789012", statement.GetProperty("Resource").GetString());
    }

    [Fact]
    public void Guidance_IncompleteForm_UsesPlaceholdersAndStaysValidJson()
    {
        var guidance = _plugin.GetPermissionGuidance(KeystoreSettings.Empty);

        Assert.All(guidance.Blocks.Where(b => b.Language == "json"), b => JsonDocument.Parse(b.Content).Dispose());
        Assert.Contains("EXTERNAL_ID", Statement(guidance, "Role trust policy").GetRawText());
    }

    [Fact]
    public void Guidance_Commands_WriteTheSamePoliciesAndQuoteEveryValue()
    {
        var guidance = _plugin.GetPermissionGuidance(AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.Endpoint, "http://127.0.0.1:4566"));
        var commands = guidance.Blocks.Single(b => b.Language == "bash").Content;

        Assert.Contains(guidance.Blocks.Single(b => b.Title.StartsWith("Role policy", StringComparison.Ordinal)).Content, commands);
        Assert.Contains("aws iam create-role --role-name 'OpenKCM-KMS-Access'", commands);
        Assert.Contains("--endpoint-url 'http://127.0.0.1:4566'", commands);
        Assert.Contains($"--key-id '{AwsKmsTestSettings.KeyArn}'", commands);
    }

    private static JsonElement Statement(PermissionGuidance guidance, string titleStart)
    {
        using var document = JsonDocument.Parse(guidance.Blocks.Single(b => b.Title.StartsWith(titleStart, StringComparison.Ordinal)).Content);
        Assert.Equal("2012-10-17", document.RootElement.GetProperty("Version").GetString());
        return document.RootElement.GetProperty("Statement").EnumerateArray().Single().Clone();
    }

    private static string[] Actions(JsonElement statement) =>
        [.. statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!)];
}

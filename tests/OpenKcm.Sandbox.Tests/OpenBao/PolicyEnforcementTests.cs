using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class PolicyEnforcementTests : SandboxTest
{
    private const string Mount = OpenBaoEmulator.MountPath;
    private const string Key = OpenBaoEmulator.KeyName;

    [Fact]
    public async Task SeedPolicy_GrantsWhatThePluginNeeds()
    {
        var token = await LoginSeedAsync();

        var read = await Api.GetAsync($"v1/{Mount}/keys/{Key}", token);
        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var decrypt = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = encrypt.Data["ciphertext"]!.GetValue<string>() }, token);
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var renew = await Api.PostAsync("v1/auth/token/renew-self", token: token);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK],
            new[] { read.Status, encrypt.Status, decrypt.Status, lookup.Status, renew.Status });
    }

    [Theory]
    [InlineData("LIST", "v1/openkcm-keys/keys")]
    [InlineData("POST", "v1/openkcm-keys/keys/another-key")]
    [InlineData("POST", "v1/openkcm-keys/keys/customer-master-key/rotate")]
    [InlineData("POST", "v1/openkcm-keys/keys/customer-master-key/config")]
    [InlineData("DELETE", "v1/openkcm-keys/keys/customer-master-key")]
    [InlineData("POST", "v1/openkcm-keys/encrypt/another-key")]
    [InlineData("GET", "v1/sys/mounts")]
    [InlineData("GET", "v1/sys/policy/openkcm-policy")]
    [InlineData("POST", "v1/auth/approle/role/openkcm-service/secret-id")]
    [InlineData("GET", "v1/no-such-mount/anything")]
    public async Task SeedPolicy_DeniesEverythingElseWith403(string method, string path)
    {
        var token = await LoginSeedAsync();

        var reply = await Api.SendAsync(method, path, method == "POST" ? "{}" : null, token);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(["permission denied"], reply.Errors);
    }

    [Fact]
    public async Task PolicyWithoutEncrypt_EncryptIsDeniedButReadWorks()
    {
        var token = await LoginWithPolicyAsync("no-encrypt", $$"""
            path "{{Mount}}/keys/{{Key}}" { capabilities = ["read"] }
            path "{{Mount}}/decrypt/{{Key}}" { capabilities = ["update"] }
            """);

        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var read = await Api.GetAsync($"v1/{Mount}/keys/{Key}", token);

        Assert.Equal(HttpStatusCode.Forbidden, encrypt.Status);
        Assert.Equal(HttpStatusCode.OK, read.Status);
    }

    [Fact]
    public async Task EncryptMissingKey_WithOnlyUpdate_IsDeniedBecauseItIsACreate()
    {
        var token = await LoginWithPolicyAsync("update-only", $$"""path "{{Mount}}/encrypt/*" { capabilities = ["update"] }""");

        var missing = await Api.PostAsync($"v1/{Mount}/encrypt/not-there", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var existing = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Equal(HttpStatusCode.OK, existing.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"v1/{Mount}/keys/not-there", Root)).Status);
    }

    [Fact]
    public async Task EncryptMissingKey_WithCreate_UpsertsTheKey()
    {
        var token = await LoginWithPolicyAsync("upserter", $$"""path "{{Mount}}/encrypt/*" { capabilities = ["create", "update"] }""");

        var reply = await Api.PostAsync($"v1/{Mount}/encrypt/fresh-key", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var key = await Api.GetAsync($"v1/{Mount}/keys/fresh-key", Root);
        Assert.Equal("aes256-gcm96", key.Data["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task GlobAndSegmentWildcard_AreEnforcedOnRealPaths()
    {
        await Api.PostAsync($"v1/{Mount}/keys/team-key", token: Root);
        var token = await LoginWithPolicyAsync("wildcards", $$"""
            path "{{Mount}}/+/team-key" { capabilities = ["update"] }
            path "{{Mount}}/keys/team*" { capabilities = ["read"] }
            """);

        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/team-key", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var read = await Api.GetAsync($"v1/{Mount}/keys/team-key", token);
        var other = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.OK, encrypt.Status);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
    }

    [Fact]
    public async Task DenyRule_OverridesBroaderGrant()
    {
        var token = await LoginWithPolicyAsync("deny-one", $$"""
            path "{{Mount}}/*" { capabilities = ["read", "update"] }
            path "{{Mount}}/decrypt/{{Key}}" { capabilities = ["deny"] }
            """);

        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var decrypt = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = encrypt.Data["ciphertext"]!.GetValue<string>() }, token);

        Assert.Equal(HttpStatusCode.OK, encrypt.Status);
        Assert.Equal(HttpStatusCode.Forbidden, decrypt.Status);
    }

    [Fact]
    public async Task DefaultPolicy_GrantsTokenSelfServiceOnly()
    {
        var token = await LoginWithPolicyAsync("nothing", """path "nowhere" { capabilities = ["read"] }""");

        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.OK, lookup.Status);
        Assert.Equal(HttpStatusCode.Forbidden, encrypt.Status);
    }

    [Fact]
    public async Task RoleWithNoDefaultPolicy_CannotLookUpItself()
    {
        using var admin = OpenBao.CreateAdminClient();
        await admin.SendAsync(HttpMethod.Post, "auth/approle/role/bare",
            new JsonObject { ["token_policies"] = "openkcm-policy", ["token_no_default_policy"] = true });
        var roleId = (await admin.SendAsync(HttpMethod.Get, "auth/approle/role/bare/role-id", null))!["data"]!["role_id"]!.GetValue<string>();
        var secretId = (await admin.SendAsync(HttpMethod.Post, "auth/approle/role/bare/secret-id", []))!["data"]!["secret_id"]!.GetValue<string>();
        var token = await Api.LoginAsync(roleId, secretId);

        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var revoke = await Api.PostAsync("v1/auth/token/revoke-self", token: token);

        Assert.Equal(HttpStatusCode.OK, lookup.Status);
        Assert.Equal(HttpStatusCode.Forbidden, revoke.Status);
    }

    [Fact]
    public async Task CapabilitiesSelf_ReportsCapabilitiesPerPath()
    {
        var token = await LoginSeedAsync();

        var reply = await Api.PostAsync("v1/sys/capabilities-self", new JsonObject
        {
            ["paths"] = new JsonArray($"{Mount}/encrypt/{Key}", $"{Mount}/keys/{Key}", "sys/mounts"),
        }, token);
        var single = await Api.PostAsync("v1/sys/capabilities-self", new JsonObject { ["path"] = "sys/mounts" }, Root);

        Assert.Equal(["update"], reply.Data[$"{Mount}/encrypt/{Key}"].Strings());
        Assert.Equal(["read"], reply.Data[$"{Mount}/keys/{Key}"].Strings());
        Assert.Equal(["deny"], reply.Data["sys/mounts"].Strings());
        Assert.Equal(["root"], single.Body!["capabilities"].Strings());
    }

    [Fact]
    public async Task EnableAuthMethod_WithoutSudo_IsDenied()
    {
        var plain = await LoginWithPolicyAsync("auth-admin", """path "sys/auth/*" { capabilities = ["create", "update"] }""");
        var sudo = await LoginWithPolicyAsync("auth-sudo", """path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }""");

        var denied = await Api.PostAsync("v1/sys/auth/approle2", new JsonObject { ["type"] = "approle" }, plain);
        var allowed = await Api.PostAsync("v1/sys/auth/approle3", new JsonObject { ["type"] = "approle" }, sudo);

        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal(HttpStatusCode.NoContent, allowed.Status);
    }

    [Fact]
    public async Task PolicyChange_AppliesToExistingTokens()
    {
        var token = await LoginSeedAsync();
        await Api.PostAsync($"v1/sys/policies/acl/{OpenBaoEmulator.PolicyName}",
            new JsonObject { ["policy"] = """path "auth/token/lookup-self" { capabilities = ["read"] }""" }, Root);

        var encrypt = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, encrypt.Status);
    }
}

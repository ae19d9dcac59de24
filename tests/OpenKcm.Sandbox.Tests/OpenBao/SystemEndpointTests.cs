using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class SystemEndpointTests : SandboxTest
{
    [Fact]
    public async Task PolicyCrud_LegacyAndAclPaths_AgreeOnTheSamePolicy()
    {
        const string Text = """path "secret/*" { capabilities = ["read"] }""";

        var written = await Api.SendAsync("PUT", "v1/sys/policy/Reader", $$"""{"policy": {{JsonValue.Create(Text).ToJsonString()}}}""", Root);
        var legacy = await Api.GetAsync("v1/sys/policy/reader", Root);
        var acl = await Api.GetAsync("v1/sys/policies/acl/reader", Root);
        var list = await Api.ListAsync("v1/sys/policies/acl", Root);
        var deleted = await Api.DeleteAsync("v1/sys/policies/acl/reader", Root);
        var gone = await Api.GetAsync("v1/sys/policy/reader", Root);

        Assert.Equal(HttpStatusCode.NoContent, written.Status);
        Assert.Equal(Text, legacy.Data["rules"]!.GetValue<string>());
        Assert.Equal(Text, legacy.Body!["rules"]!.GetValue<string>());
        Assert.Equal(Text, acl.Data["policy"]!.GetValue<string>());
        Assert.Contains("reader", list.Data["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task ListPolicies_IncludesDefaultRootAndSeed()
    {
        var reply = await Api.GetAsync("v1/sys/policy", Root);

        Assert.Equal(["default", OpenBaoEmulator.PolicyName, "root"], reply.Body!["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"policy": "path \"a\" { capabilities = [\"bogus\"] }"}""", "failed to parse policy: path \"a\": invalid capability \"bogus\"")]
    [InlineData("{}", "'policy' parameter not supplied or empty")]
    public async Task WritePolicy_Invalid_Answers400(string body, string error)
    {
        var reply = await Api.SendAsync("PUT", "v1/sys/policies/acl/bad", body, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Theory]
    [InlineData("PUT", "v1/sys/policy/root", "cannot update \"root\" policy")]
    [InlineData("DELETE", "v1/sys/policy/root", "cannot delete \"root\" policy")]
    [InlineData("DELETE", "v1/sys/policy/default", "cannot delete \"default\" policy")]
    public async Task BuiltinPolicies_CannotBeReplacedOrDeleted(string method, string path, string error)
    {
        var reply = await Api.SendAsync(method, path, method == "PUT" ? """{"policy": "path \"a\" {}"}""" : null, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task Mounts_ListsSeededTransitMountAtTopLevelAndInData()
    {
        var reply = await Api.GetAsync("v1/sys/mounts", Root);

        Assert.Equal("transit", reply.Data["openkcm-keys/"]!["type"]!.GetValue<string>());
        Assert.Equal("transit", reply.Body!["openkcm-keys/"]!["type"]!.GetValue<string>());
        Assert.Equal("system", reply.Data["sys/"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task EnableTransit_ThenUseAndDisable()
    {
        var enabled = await Api.PostAsync("v1/sys/mounts/extra/transit", new JsonObject { ["type"] = "transit" }, Root);
        var created = await Api.PostAsync("v1/extra/transit/keys/k1", token: Root);
        var disabled = await Api.DeleteAsync("v1/sys/mounts/extra/transit", Root);
        var after = await Api.GetAsync("v1/extra/transit/keys/k1", Root);

        Assert.Equal(HttpStatusCode.NoContent, enabled.Status);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal(HttpStatusCode.NoContent, disabled.Status);
        Assert.Equal(HttpStatusCode.NotFound, after.Status);
    }

    [Theory]
    [InlineData("openkcm-keys", "transit", "path is already in use at openkcm-keys/")]
    [InlineData("kv", "kv", "plugin not found in the catalog: kv")]
    [InlineData("sys/extra", "transit", "cannot mount under reserved path: \"sys/extra/\"")]
    [InlineData("nothing", "", "backend type must be specified")]
    public async Task EnableMount_Refused_Answers400(string path, string type, string error)
    {
        var reply = await Api.PostAsync($"v1/sys/mounts/{path}", new JsonObject { ["type"] = type }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task AuthMethods_ListTokenAndSeededAppRole()
    {
        var reply = await Api.GetAsync("v1/sys/auth", Root);

        Assert.Equal("token", reply.Data["token/"]!["type"]!.GetValue<string>());
        Assert.Equal("approle", reply.Data["approle/"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task SecondAppRoleMount_HasItsOwnRoles()
    {
        await Api.PostAsync("v1/sys/auth/machines", new JsonObject { ["type"] = "approle" }, Root);
        await Api.PostAsync("v1/auth/machines/role/m1", new JsonObject { ["token_policies"] = "openkcm-policy" }, Root);
        var roleId = (await Api.GetAsync("v1/auth/machines/role/m1/role-id", Root)).Data["role_id"]!.GetValue<string>();
        var secretId = (await Api.PostAsync("v1/auth/machines/role/m1/secret-id", token: Root)).Data["secret_id"]!.GetValue<string>();

        var token = await Api.LoginAsync(roleId, secretId, mount: "machines");
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var elsewhere = await Api.PostAsync("v1/auth/approle/login", new JsonObject { ["role_id"] = roleId, ["secret_id"] = secretId });

        Assert.Equal("auth/machines/login", lookup.Data["path"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.Status);
    }
}

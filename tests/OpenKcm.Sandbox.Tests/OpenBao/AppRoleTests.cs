using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class AppRoleTests : SandboxTest
{
    [Fact]
    public async Task Login_SeededRole_ReturnsAuthBlockAndZeroTopLevelLease()
    {
        var reply = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = OpenBao.SecretId });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(0, reply.Body!["lease_duration"]!.GetValue<int>());
        Assert.False(reply.Body["renewable"]!.GetValue<bool>());
        Assert.Equal("", reply.Body["lease_id"]!.GetValue<string>());
        var auth = reply.Auth;
        Assert.StartsWith("s.", auth["client_token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(auth["accessor"]!.GetValue<string>()));
        Assert.Equal(["default", "openkcm-policy"], auth["token_policies"].Strings());
        Assert.Equal(["default", "openkcm-policy"], auth["policies"].Strings());
        Assert.Equal("openkcm-service", auth["metadata"]!["role_name"]!.GetValue<string>());
        Assert.Equal(3600, auth["lease_duration"]!.GetValue<int>());
        Assert.True(auth["renewable"]!.GetValue<bool>());
        Assert.Equal("service", auth["token_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_WrongSecretId_Answers400InvalidRoleOrSecretId()
    {
        var reply = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = Guid.NewGuid().ToString() });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["invalid role or secret ID"], reply.Errors);
    }

    [Fact]
    public async Task Login_UnknownRoleId_Answers400InvalidRoleOrSecretId()
    {
        var reply = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = Guid.NewGuid().ToString(), ["secret_id"] = OpenBao.SecretId });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["invalid role or secret ID"], reply.Errors);
    }

    [Theory]
    [InlineData("role_id", "missing secret_id")]
    [InlineData("secret_id", "missing role_id")]
    public async Task Login_MissingCredential_Answers400NamingIt(string sent, string error)
    {
        var body = new JsonObject { [sent] = sent == "role_id" ? OpenBao.RoleId : OpenBao.SecretId };

        var reply = await Api.PostAsync("v1/auth/approle/login", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task Login_RoleWithoutBindSecretId_NeedsOnlyRoleId()
    {
        await Api.PostAsync("v1/auth/approle/role/cidr-only", new JsonObject
        {
            ["bind_secret_id"] = false,
            ["secret_id_bound_cidrs"] = "127.0.0.1/32",
            ["token_policies"] = "openkcm-policy",
        }, Root);
        var roleId = (await Api.GetAsync("v1/auth/approle/role/cidr-only/role-id", Root)).Data["role_id"]!.GetValue<string>();

        var reply = await Api.PostAsync("v1/auth/approle/login", new JsonObject { ["role_id"] = roleId });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task CreateRole_NeitherSecretIdNorCidrs_Answers400()
    {
        var reply = await Api.PostAsync("v1/auth/approle/role/open", new JsonObject { ["bind_secret_id"] = false }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["at least one constraint should be enabled on the role"], reply.Errors);
    }

    [Fact]
    public async Task CreateRole_TtlAboveMaxTtl_Answers400AndLeavesRoleUnchanged()
    {
        var reply = await Api.PostAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}",
            new JsonObject { ["token_ttl"] = "5h" }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        var role = await Api.GetAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}", Root);
        Assert.Equal(3600, role.Data["token_ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReadRole_SeededRole_ShowsSeedSettingsInSeconds()
    {
        var reply = await Api.GetAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}", Root);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(3600, reply.Data["token_ttl"]!.GetValue<int>());
        Assert.Equal(14400, reply.Data["token_max_ttl"]!.GetValue<int>());
        Assert.True(reply.Data["bind_secret_id"]!.GetValue<bool>());
        Assert.Equal(["openkcm-policy"], reply.Data["token_policies"].Strings());
    }

    [Fact]
    public async Task CreateRole_PoliciesAsJsonArray_AreAcceptedLikeCommaList()
    {
        await Api.PostAsync("v1/auth/approle/role/two", new JsonObject
        {
            ["token_policies"] = new JsonArray("b-policy", "a-policy"),
            ["token_ttl"] = 600,
        }, Root);

        var reply = await Api.GetAsync("v1/auth/approle/role/two", Root);

        Assert.Equal(["b-policy", "a-policy"], reply.Data["token_policies"].Strings());
        Assert.Equal(600, reply.Data["token_ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task ListRoles_ListVerbAndQueryFlag_ReturnSameKeys()
    {
        var list = await Api.ListAsync("v1/auth/approle/role", Root);
        var query = await Api.GetAsync("v1/auth/approle/role?list=true", Root);

        Assert.Equal(["openkcm-service"], list.Data["keys"].Strings());
        Assert.Equal(["openkcm-service"], query.Data["keys"].Strings());
    }

    [Fact]
    public async Task SecretId_WithNumUses_IsConsumedByLogins()
    {
        var issued = await Api.PostAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}/secret-id",
            new JsonObject { ["num_uses"] = 1 }, Root);
        var secretId = issued.Data["secret_id"]!.GetValue<string>();
        var body = new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = secretId };

        var first = await Api.PostAsync("v1/auth/approle/login", body);
        var second = await Api.PostAsync("v1/auth/approle/login", body.DeepClone().AsObject());

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
    }

    [Fact]
    public async Task SecretId_WithTtl_ExpiresOnTheClock()
    {
        var issued = await Api.PostAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}/secret-id",
            new JsonObject { ["ttl"] = "10m" }, Root);
        var secretId = issued.Data["secret_id"]!.GetValue<string>();
        Clock.Advance(TimeSpan.FromMinutes(10));

        var reply = await Api.PostAsync("v1/auth/approle/login", new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = secretId });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["invalid role or secret ID"], reply.Errors);
    }

    [Fact]
    public async Task SecretId_Destroyed_NoLongerLogsIn()
    {
        await Api.PostAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}/secret-id/destroy",
            new JsonObject { ["secret_id"] = OpenBao.SecretId }, Root);

        var reply = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = OpenBao.SecretId });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task SecretId_ForMissingRole_Answers400()
    {
        var reply = await Api.PostAsync("v1/auth/approle/role/nobody/secret-id", token: Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["role \"nobody\" does not exist"], reply.Errors);
    }

    [Fact]
    public async Task DeleteRole_ThenLogin_Answers400()
    {
        var deleted = await Api.DeleteAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}", Root);

        var reply = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = OpenBao.SecretId });

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task CreateRole_WithoutCreateCapability_IsDenied()
    {
        var token = await LoginWithPolicyAsync("role-updater", """
            path "auth/approle/role/*" { capabilities = ["update", "read"] }
            """);

        var create = await Api.PostAsync("v1/auth/approle/role/new-role", new JsonObject { ["token_ttl"] = "1m" }, token);
        var update = await Api.PostAsync($"v1/auth/approle/role/{OpenBaoEmulator.RoleName}", new JsonObject { ["token_ttl"] = "30m" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Equal(HttpStatusCode.NoContent, update.Status);
    }
}

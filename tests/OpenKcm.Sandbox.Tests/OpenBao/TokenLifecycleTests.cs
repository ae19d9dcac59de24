using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class TokenLifecycleTests : SandboxTest
{
    private const string EncryptPath = $"v1/{OpenBaoEmulator.MountPath}/encrypt/{OpenBaoEmulator.KeyName}";

    [Fact]
    public async Task LookupSelf_FreshLogin_DescribesTheToken()
    {
        var token = await LoginSeedAsync();

        var reply = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var data = reply.Data;
        Assert.Equal(token, data["id"]!.GetValue<string>());
        Assert.Equal(3600, data["ttl"]!.GetValue<int>());
        Assert.Equal(3600, data["creation_ttl"]!.GetValue<int>());
        Assert.Equal("auth/approle/login", data["path"]!.GetValue<string>());
        Assert.Equal("approle", data["display_name"]!.GetValue<string>());
        Assert.True(data["renewable"]!.GetValue<bool>());
        Assert.True(data["orphan"]!.GetValue<bool>());
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeSeconds(), data["creation_time"]!.GetValue<long>());
        Assert.Equal(Clock.GetUtcNow().AddHours(1), DateTimeOffset.Parse(data["expire_time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("openkcm-service", data["meta"]!["role_name"]!.GetValue<string>());
        Assert.Equal(["default", "openkcm-policy"], data["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task LookupSelf_AfterClockMoves_ReportsRemainingTtl()
    {
        var token = await LoginSeedAsync();
        Clock.Advance(TimeSpan.FromMinutes(25));

        var reply = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(35 * 60, reply.Data["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task Token_AfterTtl_IsRejectedWithPermissionDenied()
    {
        var token = await LoginSeedAsync();
        Clock.Advance(TimeSpan.FromHours(1));

        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var encrypt = await Api.PostAsync(EncryptPath, new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, lookup.Status);
        Assert.Equal(["permission denied"], lookup.Errors);
        Assert.Equal(HttpStatusCode.Forbidden, encrypt.Status);
    }

    [Fact]
    public async Task RenewSelf_WithIncrement_ExtendsFromNow()
    {
        var token = await LoginSeedAsync();
        Clock.Advance(TimeSpan.FromMinutes(50));

        var renewed = await Api.PostAsync("v1/auth/token/renew-self", new JsonObject { ["increment"] = "2h" }, token);
        Clock.Advance(TimeSpan.FromMinutes(90));
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal(7200, renewed.Auth["lease_duration"]!.GetValue<int>());
        Assert.Equal(token, renewed.Auth["client_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, lookup.Status);
        Assert.Equal(30 * 60, lookup.Data["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task RenewSelf_WithoutIncrement_UsesRoleTokenTtl()
    {
        var token = await LoginSeedAsync();
        Clock.Advance(TimeSpan.FromMinutes(30));

        var renewed = await Api.PostAsync("v1/auth/token/renew-self", token: token);

        Assert.Equal(3600, renewed.Auth["lease_duration"]!.GetValue<int>());
    }

    [Fact]
    public async Task RenewSelf_PastMaxTtl_IsCappedWithWarning()
    {
        var token = await LoginSeedAsync();
        Clock.Advance(TimeSpan.FromMinutes(50));
        await Api.PostAsync("v1/auth/token/renew-self", new JsonObject { ["increment"] = "2h" }, token);
        Clock.Advance(TimeSpan.FromMinutes(110));

        var renewed = await Api.PostAsync("v1/auth/token/renew-self", new JsonObject { ["increment"] = 7200 }, token);

        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal(80 * 60, renewed.Auth["lease_duration"]!.GetValue<int>());
        Assert.Contains(renewed.Warnings, w => w.Contains("exceeded the effective max_ttl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_AtMaxTtl_ExpiresDespiteRenewals()
    {
        var token = await LoginSeedAsync();
        for (var hour = 0; hour < 4; hour++)
        {
            Clock.Advance(TimeSpan.FromMinutes(59));
            await Api.PostAsync("v1/auth/token/renew-self", token: token);
        }

        Clock.Advance(TimeSpan.FromMinutes(4));
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.Forbidden, lookup.Status);
    }

    [Fact]
    public async Task RenewSelf_NonRenewableToken_Answers400()
    {
        using var admin = OpenBao.CreateAdminClient();
        var token = await admin.CreateTokenAsync(["openkcm-policy"], TimeSpan.FromMinutes(10), renewable: false);

        var reply = await Api.PostAsync("v1/auth/token/renew-self", token: token);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["lease is not renewable"], reply.Errors);
    }

    [Fact]
    public async Task RenewSelf_RootToken_Answers400()
    {
        var reply = await Api.PostAsync("v1/auth/token/renew-self", token: Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task LookupSelf_RootToken_HasNoExpiry()
    {
        var reply = await Api.GetAsync("v1/auth/token/lookup-self", Root);

        Assert.Equal(["root"], reply.Data["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Null(reply.Data["expire_time"]);
        Assert.Equal(0, reply.Data["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task Token_InAuthorizationBearer_IsAccepted()
    {
        var token = await LoginSeedAsync();

        var reply = await Api.SendAsync("GET", "v1/auth/token/lookup-self", body: null,
            headers: headers => headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("s.doesnotexist00000000000")]
    public async Task Request_WithoutValidToken_Answers403PermissionDenied(string? token)
    {
        var reply = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(["permission denied"], reply.Errors);
    }

    [Fact]
    public async Task RevokeSelf_ThenUse_Answers403()
    {
        var token = await LoginSeedAsync();

        var revoked = await Api.PostAsync("v1/auth/token/revoke-self", token: token);
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.NoContent, revoked.Status);
        Assert.Equal(HttpStatusCode.Forbidden, lookup.Status);
    }

    [Fact]
    public async Task CreateToken_ChildAskingForMorePolicies_Answers400()
    {
        await Api.PostAsync("v1/sys/policies/acl/creator", new JsonObject
        {
            ["policy"] = """path "auth/token/create" { capabilities = ["update"] }""",
        }, Root);
        using var admin = OpenBao.CreateAdminClient();
        var parent = await admin.CreateTokenAsync(["creator"]);

        var reply = await Api.PostAsync("v1/auth/token/create", new JsonObject { ["policies"] = "openkcm-policy" }, parent);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["child policies must be subset of parent"], reply.Errors);
    }

    [Fact]
    public async Task Token_WithNumUses_IsRevokedAfterLastUse()
    {
        var created = await Api.PostAsync("v1/auth/token/create",
            new JsonObject { ["policies"] = "openkcm-policy", ["num_uses"] = 2 }, Root);
        var token = created.Auth["client_token"]!.GetValue<string>();

        var first = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var second = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var third = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(HttpStatusCode.Forbidden, third.Status);
    }
}

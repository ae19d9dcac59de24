using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class NamespaceTests : SandboxTest
{
    private const string Team = "team-a";

    [Fact]
    public async Task UnknownNamespace_Answers404NamespaceNotFoundBeforeAuthentication()
    {
        var withoutToken = await Api.GetAsync("v1/auth/token/lookup-self", ns: "nope");
        var withRoot = await Api.GetAsync($"v1/{OpenBaoEmulator.MountPath}/keys/{OpenBaoEmulator.KeyName}", Root, ns: "nope");

        Assert.Equal(HttpStatusCode.NotFound, withoutToken.Status);
        Assert.Equal(["namespace not found"], withoutToken.Errors);
        Assert.Equal(HttpStatusCode.NotFound, withRoot.Status);
    }

    [Fact]
    public async Task Namespace_HasItsOwnMountsPoliciesRolesAndTokens()
    {
        var token = await SetUpTeamAsync();

        var viaHeader = await Api.PostAsync("v1/keys/encrypt/team-key", new JsonObject { ["plaintext"] = "aGk=" }, token, Team);
        var viaPath = await Api.PostAsync($"v1/{Team}/keys/encrypt/team-key", new JsonObject { ["plaintext"] = "aGk=" }, token);
        var rootMount = await Api.PostAsync($"v1/{OpenBaoEmulator.MountPath}/encrypt/{OpenBaoEmulator.KeyName}",
            new JsonObject { ["plaintext"] = "aGk=" }, token);
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.OK, viaHeader.Status);
        Assert.Equal(HttpStatusCode.OK, viaPath.Status);
        Assert.Equal(HttpStatusCode.Forbidden, rootMount.Status);
        Assert.Equal($"{Team}/", lookup.Data["namespace_path"]!.GetValue<string>());
    }

    [Fact]
    public async Task NamespaceKey_IsInvisibleFromRootNamespacePaths()
    {
        await SetUpTeamAsync();

        var fromRoot = await Api.GetAsync("v1/keys/keys/team-key", Root);
        var throughPrefix = await Api.GetAsync($"v1/{Team}/keys/keys/team-key", Root);

        Assert.Equal(HttpStatusCode.NotFound, fromRoot.Status);
        Assert.Equal(HttpStatusCode.OK, throughPrefix.Status);
    }

    [Fact]
    public async Task RootTokenPolicy_NamesChildNamespacePathsWithPrefix()
    {
        await SetUpTeamAsync();
        var token = await LoginWithPolicyAsync("cross", $$"""path "{{Team}}/keys/encrypt/*" { capabilities = ["update"] }""");

        var allowed = await Api.PostAsync("v1/keys/encrypt/team-key", new JsonObject { ["plaintext"] = "aGk=" }, token, Team);

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
    }

    [Fact]
    public async Task NamespacePolicy_DoesNotReachRootNamespace()
    {
        await SetUpTeamAsync();

        var rootPolicy = await Api.GetAsync("v1/sys/policies/acl/team-policy", Root);
        var teamPolicy = await Api.GetAsync("v1/sys/policies/acl/team-policy", Root, Team);

        Assert.Equal(HttpStatusCode.NotFound, rootPolicy.Status);
        Assert.Equal(HttpStatusCode.OK, teamPolicy.Status);
    }

    [Fact]
    public async Task ListNamespaces_ShowsChildrenWithInfo()
    {
        await Api.PostAsync($"v1/sys/namespaces/{Team}", token: Root);
        await Api.PostAsync("v1/sys/namespaces/team-b", new JsonObject { ["custom_metadata"] = new JsonObject { ["owner"] = "b" } }, Root);

        var reply = await Api.ListAsync("v1/sys/namespaces", Root);

        Assert.Equal([$"{Team}/", "team-b/"], reply.Data["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal("b", reply.Data["key_info"]!["team-b/"]!["custom_metadata"]!["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task NestedNamespace_ResolvesThroughHeaderAndPath()
    {
        await Api.PostAsync($"v1/sys/namespaces/{Team}", token: Root);
        var nested = await Api.PostAsync("v1/sys/namespaces/dev", token: Root, ns: Team);
        await Api.PostAsync("v1/sys/mounts/keys", new JsonObject { ["type"] = "transit" }, Root, $"{Team}/dev");
        await Api.PostAsync("v1/keys/keys/k", token: Root, ns: $"{Team}/dev");

        var mixed = await Api.GetAsync("v1/dev/keys/keys/k", Root, Team);
        var deleteParent = await Api.DeleteAsync($"v1/sys/namespaces/{Team}", Root);

        Assert.Equal($"{Team}/dev/", nested.Data["path"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, mixed.Status);
        Assert.Equal(HttpStatusCode.BadRequest, deleteParent.Status);
    }

    [Fact]
    public async Task DeleteNamespace_RevokesItsTokens()
    {
        var token = await SetUpTeamAsync();

        var deleted = await Api.DeleteAsync($"v1/sys/namespaces/{Team}", Root);
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.Forbidden, lookup.Status);
    }

    [Theory]
    [InlineData("sys")]
    [InlineData("a%2Fb")]
    public async Task CreateNamespace_InvalidName_Answers400(string name)
    {
        var reply = await Api.PostAsync($"v1/sys/namespaces/{name}", token: Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    /// <summary>Namespace team-a with transit mount "keys", key "team-key", an AppRole role; returns its token.</summary>
    private async Task<string> SetUpTeamAsync()
    {
        using var admin = OpenBao.CreateAdminClient(Team);
        using var root = OpenBao.CreateAdminClient();
        await root.CreateNamespaceAsync(Team);
        await admin.EnableTransitAsync("keys");
        await admin.CreateTransitKeyAsync("keys", "team-key");
        await admin.EnableAppRoleAsync();
        await admin.WritePolicyAsync("team-policy", """path "keys/encrypt/team-key" { capabilities = ["update"] }""");
        var credentials = await admin.CreateAppRoleAsync("team-role", ["team-policy"]);
        return await Api.LoginAsync(credentials.RoleId, credentials.SecretId, Team);
    }
}

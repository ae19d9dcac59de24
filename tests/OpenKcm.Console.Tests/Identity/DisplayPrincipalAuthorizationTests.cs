using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Tests.Identity;

/// <summary>
/// A display session gets the NOC and nothing else: the real policy definitions evaluated by ASP.NET Core's
/// authorization service, and every routable page of the console checked for an explicit authorization attribute.
/// </summary>
public sealed class DisplayPrincipalAuthorizationTests
{
    private static readonly IAuthorizationService s_authorization = new ServiceCollection()
        .AddLogging()
        .AddAuthorizationCore(Policies.Configure)
        .BuildServiceProvider()
        .GetRequiredService<IAuthorizationService>();

    private static readonly ClaimsPrincipal s_display = DisplayPrincipal.Create(
        new DisplayTokenInfo
        {
            Id = Guid.NewGuid(),
            Name = "wall",
            CreatedByName = "ada",
            CreatedAt = DateTimeOffset.UnixEpoch,
            ExpiresAt = DateTimeOffset.MaxValue,
        },
        DisplayAuthentication.BearerScheme);

    public static TheoryData<string> AllPolicies() =>
        [.. typeof(Policies).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name != nameof(Policies.BlazorHubPath))
            .Select(f => (string)f.GetRawConstantValue()!)];

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public async Task Policy_DisplayPrincipal_OnlyViewNocSucceeds(string policy)
    {
        var result = await s_authorization.AuthorizeAsync(s_display, policy);

        Assert.Equal(policy == Policies.ViewNoc, result.Succeeded);
    }

    [Theory]
    [InlineData(Roles.Administrator)]
    [InlineData(Roles.KeyAdministrator)]
    [InlineData(Roles.Auditor)]
    [InlineData(Roles.Operator)]
    public async Task ViewNoc_AnySignedInRole_Succeeds(string role)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], IdentityConstants.ApplicationScheme));

        Assert.True((await s_authorization.AuthorizeAsync(user, Policies.ViewNoc)).Succeeded);
    }

    [Fact]
    public async Task ViewNoc_Anonymous_Fails() =>
        Assert.False((await s_authorization.AuthorizeAsync(new ClaimsPrincipal(new ClaimsIdentity()), Policies.ViewNoc)).Succeeded);

    [Theory]
    [InlineData("/_blazor", true)]
    [InlineData("/_blazor/negotiate", true)]
    [InlineData("/", false)]
    [InlineData("/account/logout", false)]
    [InlineData("/keystores", false)]
    [InlineData("/_blazorx", false)]
    public async Task FallbackPolicy_DisplayPrincipal_OnlyTheBlazorCircuitEndpoints(string path, bool allowed)
    {
        var options = new AuthorizationOptions();
        Policies.Configure(options);
        var http = new DefaultHttpContext();
        http.Request.Path = path;

        var result = await s_authorization.AuthorizeAsync(s_display, http, options.FallbackPolicy!);

        Assert.Equal(allowed, result.Succeeded);
    }

    [Fact]
    public async Task FallbackPolicy_SignedInUserWithoutRole_StillPassesAsBefore()
    {
        var options = new AuthorizationOptions();
        Policies.Configure(options);
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "x")], IdentityConstants.ApplicationScheme));
        var http = new DefaultHttpContext();
        http.Request.Path = "/account/logout";

        Assert.True((await s_authorization.AuthorizeAsync(user, http, options.FallbackPolicy!)).Succeeded);
    }

    /// <summary>
    /// Inside a circuit, AuthorizeRouteView authorizes pages by their own attributes only (the fallback policy is for
    /// HTTP endpoints): a page with no attribute would open for a display session that navigates to it.
    /// </summary>
    [Fact]
    public void EveryRoutablePage_DeclaresAllowAnonymousOrAnAuthorizePolicy()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any())
            .ToList();
        Assert.NotEmpty(pages);

        var unguarded = pages.Where(t =>
            t.GetCustomAttribute<AllowAnonymousAttribute>() is null
            && !t.GetCustomAttributes<AuthorizeAttribute>().Any(a => !string.IsNullOrEmpty(a.Policy))
            // Static pages are HTTP endpoints only: the fallback policy covers them.
            && t.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is null);

        Assert.Empty(unguarded.Select(t => t.FullName));
    }

    [Fact]
    public void EveryPageOpenToDisplaySessions_IsANocPage()
    {
        var viewNocPages = typeof(Program).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes<RouteAttribute>().Any()
                && t.GetCustomAttributes<AuthorizeAttribute>().Any(a => a.Policy == Policies.ViewNoc));

        Assert.All(viewNocPages, t => Assert.StartsWith("/noc", t.GetCustomAttribute<RouteAttribute>()!.Template, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Bearer okd_x", null, "/hubs/health", DisplayAuthentication.BearerScheme)]
    [InlineData("Bearer okd_x", "openkcm.auth=a", "/", DisplayAuthentication.BearerScheme)]
    [InlineData(null, "openkcm.display=d", "/noc", DisplayAuthentication.CookieScheme)]
    [InlineData(null, "openkcm.display=d", "/hubs/health", DisplayAuthentication.CookieScheme)]
    [InlineData(null, "openkcm.display=d; openkcm.auth=a", "/noc", "Identity.Application")]
    [InlineData(null, null, "/hubs/health/negotiate", DisplayAuthentication.BearerScheme)]
    [InlineData(null, null, "/", "Identity.Application")]
    [InlineData(null, "openkcm.auth=a", "/hubs/health", "Identity.Application")]
    public void Select_Request_PicksTheScheme(string? authorization, string? cookie, string path, string expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        if (cookie is not null)
        {
            http.Request.Headers.Cookie = cookie;
        }

        Assert.Equal(expected, DisplayAuthentication.Select(http));
    }
}

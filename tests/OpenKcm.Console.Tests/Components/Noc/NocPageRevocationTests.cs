using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Components.Noc;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Console.Tests.Identity;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Noc;

/// <summary>
/// The NOC page opened with a display token, over the real <see cref="DisplayTokenService"/> (SQLite): revoking its
/// token sends it to <c>/noc/connect</c> at once (no clock advance, so not the circuit's one-minute revalidation).
/// </summary>
public sealed class NocPageRevocationTests : DisplayTokenTestContext
{
    public NocPageRevocationTests()
    {
        Services.AddSingleton(new HealthFeed(Time, Options.Create(new HealthOptions())));
        Services.AddSingleton(Options.Create(new HealthOptions()));
    }

    private void SignInWithDisplayToken(DisplayTokenInfo token)
    {
        Authorization.SetAuthorized(DisplayTokenService.ActorOf(token).Name);
        Authorization.SetRoles();
        Authorization.SetClaims(new Claim(DisplayPrincipal.TokenIdClaim, token.Id.ToString("D")));
        Authorization.SetPolicies(Policies.ViewNoc);
    }

    [Fact]
    public async Task NocPage_OwnTokenRevoked_NavigatesToConnectWithAFullReload()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        SignInWithDisplayToken(created!.Info);
        var navigation = Services.GetRequiredService<NavigationManager>();
        var cut = Render<NocPage>();
        var start = navigation.Uri;

        await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None);

        cut.WaitForAssertion(() => Assert.Equal(navigation.BaseUri + "noc/connect", navigation.Uri));
        var history = Assert.Single(((BunitNavigationManager)navigation).History);
        Assert.True(history.Options.ForceLoad);
        Assert.NotEqual(start, navigation.Uri);
    }

    [Fact]
    public async Task NocPage_AnotherTokenRevoked_Stays()
    {
        var (mine, _) = await Tokens.CreateAsync("wall 1", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        var (other, _) = await Tokens.CreateAsync("wall 2", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        SignInWithDisplayToken(mine!.Info);
        var navigation = (BunitNavigationManager)Services.GetRequiredService<NavigationManager>();
        Render<NocPage>();

        await Tokens.RevokeAsync(other!.Info.Id, Admin, CancellationToken.None);
        await Tokens.RevokeAsync(mine.Info.Id, Admin, CancellationToken.None);

        // The page's own revocation navigates; the other one before it did not.
        await WaitUntilAsync(() => navigation.History.Count > 0);
        Assert.Single(navigation.History);
    }

    [Fact]
    public async Task NocPage_Disposed_NoLongerListensForRevocations()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        SignInWithDisplayToken(created!.Info);
        var navigation = (BunitNavigationManager)Services.GetRequiredService<NavigationManager>();
        var cut = Render<NocPage>();

        await cut.Instance.DisposeAsync();
        await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None);

        // The handler runs synchronously inside RevokeAsync: had it stayed subscribed, the navigation would be queued now.
        await cut.InvokeAsync(() => { });
        Assert.Empty(navigation.History);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Eventually.UntilAsync(condition, "the NOC page reacted");
}

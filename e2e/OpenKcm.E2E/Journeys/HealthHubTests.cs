using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Audit;
using OpenKcm.E2E.Hub;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;
using static OpenKcm.E2E.Hub.HubClientProcess;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// <c>/hubs/health</c> read by the official JavaScript client (@microsoft/signalr under node, e2e/hub-client) from the
/// real console with its sandbox; and a wall-screen browser connected with a display token at <c>/noc/connect</c>.
/// </summary>
public sealed class HealthHubTests(HubConsoleFixture app) : BrowserTest<HubConsoleFixture>(app)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Watch_BearerDisplayTokenNoCookie_SnapshotThenCriticalAfterSandboxOutageThenHealthy()
    {
        await App.EnsureKeystoreActiveAsync();
        var token = await App.CreateDisplayTokenAsync("hub e2e bearer");
        await using var client = Start(App.HubUrl, token: token.Token);
        using var control = new HttpClient();
        try
        {
            var snapshot = await client.WaitForAsync(e => IsMessage(e, "snapshot"), s_wait, "the snapshot");
            Assert.Equal(1, snapshot.GetProperty("message").GetProperty("contractVersion").GetInt32());
            Assert.Contains(KeystoresOf(snapshot), k => k.GetProperty("name").GetString() == HubConsoleFixture.KeystoreName);
            await client.WaitForAsync(e => HasKeystoreWithStatus(e, HubConsoleFixture.KeystoreName, "Healthy"), s_wait, "the keystore Healthy");

            (await control.PutAsJsonAsync(App.OpenBaoControlUrl, new { down = true })).EnsureSuccessStatusCode();

            var critical = await client.WaitForAsync(e => HasKeystoreWithStatus(e, HubConsoleFixture.KeystoreName, "Critical"), s_wait, "the keystore Critical");
            var keystore = KeystoresOf(critical).First(k => k.GetProperty("name").GetString() == HubConsoleFixture.KeystoreName);
            Assert.NotEqual(0, keystore.GetProperty("consecutiveFailures").GetInt32());
            Assert.False(string.IsNullOrEmpty(keystore.GetProperty("lastError").GetProperty("message").GetString()));
        }
        finally
        {
            (await control.PostAsync(new Uri(App.OpenBaoControlUrl + "/reset"), null)).EnsureSuccessStatusCode();
        }

        await client.WaitForAsync(e => HasKeystoreWithStatus(e, HubConsoleFixture.KeystoreName, "Healthy"), s_wait, "the keystore Healthy again");
    }

    [Fact]
    public async Task Watch_QuietFeed_HeartbeatWithServerTime()
    {
        var token = await App.CreateDisplayTokenAsync("hub e2e heartbeat");
        await using var client = Start(App.HubUrl, token: token.Token);

        var heartbeat = await client.WaitForAsync(e => IsMessage(e, "heartbeat"), s_wait, "a heartbeat");

        Assert.True(heartbeat.GetProperty("message").GetProperty("serverTime").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task Watch_NoCredentials_Refused401()
    {
        await using var client = Start(App.HubUrl);

        var failed = await client.WaitForAsync(e => IsEvent(e, "start-failed") || IsEvent(e, "connected"), s_wait, "the start result");

        Assert.True(IsEvent(failed, "start-failed"), string.Join("\n", client.Seen));
        Assert.Equal(401, failed.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Watch_UnknownToken_Refused401()
    {
        await using var client = Start(App.HubUrl, token: "okd_" + new string('A', 43));

        var failed = await client.WaitForAsync(e => IsEvent(e, "start-failed") || IsEvent(e, "connected"), s_wait, "the start result");

        Assert.Equal(401, failed.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Watch_TokenRevokedWhileStreaming_StreamEndsWithReasonAndConnectionCloses()
    {
        var token = await App.CreateDisplayTokenAsync("hub e2e revoked");
        await using var client = Start(App.HubUrl, token: token.Token);
        await client.WaitForAsync(e => IsMessage(e, "snapshot"), s_wait, "the snapshot");

        await App.RevokeAsync(token.Info.Id);

        var error = await client.WaitForAsync(e => IsEvent(e, "error") || IsEvent(e, "complete"), s_wait, "the end of the stream");
        Assert.True(IsEvent(error, "error"), string.Join("\n", client.Seen));
        Assert.Contains("revoked", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await client.WaitForAsync(e => IsEvent(e, "closed"), s_wait, "the connection closed");

        await using var again = Start(App.HubUrl, token: token.Token);
        var refused = await again.WaitForAsync(e => IsEvent(e, "start-failed") || IsEvent(e, "connected"), s_wait, "the start result");
        Assert.Equal(401, refused.GetProperty("status").GetInt32());
    }

    [Fact]
    public Task Watch_OperatorSignInCookie_SnapshotReceived() => RunAsync(async () =>
    {
        const string email = "olga.operator@openkcm.test";
        const string password = "Operator-Pass-42";
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            if ((await users.ListAsync(CancellationToken.None)).All(u => u.Email != email))
            {
                var result = await users.CreateAsync(email, password, [Roles.Operator], new Actor("e2e-admin", BootstrappedConsoleFixture.AdminEmail), CancellationToken.None);
                Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
            }
        }

        await App.Context.ClearCookiesAsync();
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(email, password);
        await new DashboardPage(Page).ExpectShownAsync();
        var cookies = await App.Context.CookiesAsync();
        var header = string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));

        await using var client = Start(App.HubUrl, cookie: header);

        await client.WaitForAsync(e => IsMessage(e, "snapshot"), s_wait, "the snapshot");
    });

    [Fact]
    public Task NocConnect_ValidToken_DisplayCookieOpensNocAndNothingElse() => RunAsync(async () =>
    {
        var token = await App.CreateDisplayTokenAsync("hub e2e wall");
        await App.Context.ClearCookiesAsync();

        await Page.GotoAsync("noc/connect");
        await ConnectAsync(token.Token);

        var cookie = (await App.Context.CookiesAsync()).Single(c => c.Name == "openkcm.display");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(token.Token, cookie.Value, StringComparison.Ordinal);
        Assert.True(cookie.Expires > DateTimeOffset.UtcNow.AddHours(23).ToUnixTimeSeconds());

        // The display session reaches the hub with its cookie (the browser's way)...
        await using (var client = Start(App.HubUrl, cookie: $"openkcm.display={cookie.Value}"))
        {
            await client.WaitForAsync(e => IsMessage(e, "snapshot"), s_wait, "the snapshot over the display cookie");
        }

        // ...and nothing else: the dashboard sends it back to the connect page, which says who it is connected as.
        await Page.GotoAsync("");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/noc/connect"));
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("connected as display token 'hub e2e wall'");
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }))
        {
            foreach (var path in new[] { "keystores", "audit", "admin/display-tokens", "sandbox" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(App.BaseAddress, path));
                request.Headers.Add("Cookie", $"openkcm.display={cookie.Value}");
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.Forbidden,
                    $"{path}: {response.StatusCode}");
                Assert.DoesNotContain("/account/login", response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
            }
        }

        // Revoked: the cookie stops working at the next request (after the short validation cache).
        await App.RevokeAsync(token.Info.Id);
        await Page.GotoAsync("noc/connect");
        await Expect(Page.GetByLabel("Display token")).ToBeVisibleAsync();

        // Disconnect clears the cookie.
        await ConnectAsync((await App.CreateDisplayTokenAsync("hub e2e wall 2")).Token);
        await Page.GotoAsync("noc/connect");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect this screen" }).ClickAsync();
        await Expect(Page.GetByLabel("Display token")).ToBeVisibleAsync();
        Assert.DoesNotContain(await App.Context.CookiesAsync(), c => c.Name == "openkcm.display");
    });

    /// <summary>
    /// Pastes the token and connects: the answer sets the display cookie and redirects to <c>/noc</c>. The NOC page is
    /// the noc lane's: once it is in the console, the browser must stay on <c>/noc</c> (no bounce to a sign-in or
    /// connect page); without it, <c>/noc</c> has no page and the fallback policy sends a display session back to
    /// <c>/noc/connect</c>, so only the redirect target is asserted.
    /// </summary>
    private async Task ConnectAsync(string token)
    {
        await Page.GetByLabel("Display token").FillAsync(token);
        var post = await Page.RunAndWaitForResponseAsync(
            () => Page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/noc/connect", StringComparison.Ordinal));
        Assert.Equal(302, post.Status);
        Assert.Equal(new Uri(App.BaseAddress, "noc").ToString(), new Uri(App.BaseAddress, post.Headers["location"]).ToString());
        if (NocPageMerged)
        {
            await Expect(Page).ToHaveURLAsync(new Uri(App.BaseAddress, "noc").ToString());
        }
    }

    private static bool NocPageMerged => typeof(Program).Assembly.GetTypes()
        .Any(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false)
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>().Any(r => r.Template == "/noc"));

    [Fact]
    public async Task Probes_Anonymous_LivenessAndReadinessWithNamesOnly()
    {
        using var http = new HttpClient { BaseAddress = App.BaseAddress };

        var live = await http.GetAsync("healthz");
        var ready = await http.GetStringAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"Healthy","checks":[]}""", await live.Content.ReadAsStringAsync());
        Assert.Contains("""{"name":"database","status":"Healthy"}""", ready, StringComparison.Ordinal);
        Assert.Contains("""{"name":"health-monitor","status":"Healthy"}""", ready, StringComparison.Ordinal);
    }
}

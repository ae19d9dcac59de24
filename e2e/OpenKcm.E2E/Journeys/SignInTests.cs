using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>An installed console whose administrator was created from configuration.</summary>
/// <remarks>The tests share the class's browser context (and its cookies): each one first sets the state it needs.</remarks>
public sealed class SignInTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string Email = BootstrappedConsoleFixture.AdminEmail;
    private const string Password = BootstrappedConsoleFixture.AdminPassword;

    /// <summary>The sign-in URL remembering <paramref name="escapedPath"/>; the server's challenge spells it ReturnUrl.</summary>
    private static Regex ReturnTo(string escapedPath) =>
        new($"/account/login\\?returnUrl={Regex.Escape(escapedPath)}$", RegexOptions.IgnoreCase);

    [Fact]
    public Task AnonymousVisitor_OpensRoot_IsSentToSignIn() => RunAsync(async () =>
    {
        await App.Context.ClearCookiesAsync();

        await Page.GotoAsync("/");

        await Expect(Page).ToHaveURLAsync(ReturnTo("%2F"));
        await new SignInPage(Page).ExpectShownAsync();
    });

    [Fact]
    public Task AnonymousVisitor_OpensAProtectedPage_ReturnsToItAfterSigningIn() => RunAsync(async () =>
    {
        await App.Context.ClearCookiesAsync();
        var audit = new AuditPage(Page);

        await audit.GotoAsync();
        await Expect(Page).ToHaveURLAsync(ReturnTo("%2Faudit"));
        await new SignInPage(Page).SignInAsync(Email, Password);

        await Expect(Page).ToHaveURLAsync(new Regex("/audit$"));
        await audit.ExpectShownAsync();
        await new ConsoleShell(Page).ExpectSignedInAsAsync(Email);
    });

    [Fact]
    public Task SignIn_WrongPassword_IsRefusedWithAnAlert() => RunAsync(async () =>
    {
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();

        await signIn.SignInAsync(Email, "Wrong-Password-1");

        await Expect(signIn.Alert).ToHaveTextAsync("Wrong e-mail or password.");
        await Expect(Page).ToHaveURLAsync(new Regex("/account/login"));
    });

    [Fact]
    public Task SignedInAdministrator_SignsOut_IsSentToSignInAndLosesAccess() => RunAsync(async () =>
    {
        var signIn = new SignInPage(Page);
        var shell = new ConsoleShell(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(Email, Password);
        await shell.ExpectSignedInAsAsync(Email);

        await shell.SignOutAsync();

        await signIn.ExpectShownAsync();
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(ReturnTo("%2F"));
    });

    [Fact]
    public Task SignOut_PostedWithoutTheAntiforgeryToken_IsRefusedAndTheSessionStays() => RunAsync(async () =>
    {
        var signIn = new SignInPage(Page);
        var shell = new ConsoleShell(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(Email, Password);
        await shell.ExpectSignedInAsAsync(Email);

        // What a cross-site form or script could send: the cookie, but no token from the console's own page.
        var withoutBody = await App.Context.APIRequest.PostAsync("/account/logout", new() { MaxRedirects = 0 });
        var withoutToken = await App.Context.APIRequest.PostAsync("/account/logout",
            new() { MaxRedirects = 0, Form = App.Context.APIRequest.CreateFormData().Set("returnUrl", "/") });

        Assert.Equal(400, withoutBody.Status);
        Assert.Equal(400, withoutToken.Status);
        await Page.GotoAsync("/");
        await new DashboardPage(Page).ExpectShownAsync();
    });

    [Fact]
    public Task SignedInAdministrator_VerifiesTheAuditChain_WithoutBrowserErrors() => RunAsync(async () =>
    {
        var signIn = new SignInPage(Page);
        var audit = new AuditPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(Email, Password);
        await new DashboardPage(Page).ExpectShownAsync();

        // A client-side navigation and a click on a Radzen button: both go through the circuit, under the
        // console's Content-Security-Policy (a blocked script or style would be logged as a console error).
        await new ConsoleShell(Page).NavLink("Audit log").ClickAsync();
        await audit.ExpectShownAsync();
        await audit.VerifyButton.ClickAsync();

        await Expect(audit.VerificationResult).ToContainTextAsync("Chain intact");
        AssertNoBrowserErrors();
    });
}

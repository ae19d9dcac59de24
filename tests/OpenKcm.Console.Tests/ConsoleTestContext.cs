using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using Radzen.Blazor.Rendering;

namespace OpenKcm.Console.Tests;

/// <summary>
/// Base class for the console's component tests: a bunit context set up the way the console runs its components.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Radzen's services are registered (<c>AddRadzenComponents()</c>), as in the console's Program.</item>
/// <item>JS interop is loose: Radzen calls JavaScript on almost every render, and a test that cares about a call
/// plans it with <c>JSInterop.Setup</c> and verifies it with <c>JSInterop.VerifyInvoke</c>.</item>
/// <item><c>Radzen.createChart</c> is planned to return a <see cref="ChartSize"/>-sized rectangle: in loose mode it
/// would return null and every Radzen chart would throw on first render.</item>
/// <item>Authorization is on and anonymous by default; call <see cref="SignInAs"/> to be a user with roles. The
/// console's policies (<c>AuthorizeView Policy="..."</c>) are then granted exactly as the real policy definitions
/// grant them to those roles.</item>
/// </list>
/// Register the fakes a component under test needs in the derived class's constructor (<c>Services.AddSingleton</c>).
/// Dispose is the xunit one: bunit's <see cref="BunitContext"/> is <see cref="IAsyncDisposable"/>.
/// </remarks>
public abstract class ConsoleTestContext : BunitContext
{
    /// <summary>The size every Radzen chart measures for its container.</summary>
    public static readonly Rect ChartSize = new() { Width = 640, Height = 320 };

    static ConsoleTestContext()
    {
        // bunit waits 1 s by default (WaitForAssertion, WaitForState); a loaded 2-core CI machine needs more. A limit,
        // not a delay: the wait ends as soon as the assertion passes.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    protected ConsoleTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        JSInterop.Setup<Rect>("Radzen.createChart", _ => true).SetResult(ChartSize);
        Services.AddRadzenComponents();
        Authorization = AddAuthorization();
    }

    /// <summary>The test's authentication state; anonymous until <see cref="SignInAs"/> is called.</summary>
    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>
    /// Makes the current user an authenticated <paramref name="userName"/> in <paramref name="roles"/> (see
    /// <c>OpenKcm.Console.Identity.Roles</c>), holding the policies those roles satisfy. Call before rendering.
    /// </summary>
    protected void SignInAs(string userName, params string[] roles)
    {
        Authorization.SetAuthorized(userName);
        Authorization.SetRoles(roles);
        Authorization.SetPolicies(ConsolePolicies.SatisfiedBy(roles));
    }
}

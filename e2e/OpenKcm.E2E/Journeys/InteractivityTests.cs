using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

public sealed class InteractivityTests(ConsoleAppFixture app) : BrowserTest(app)
{
    [Fact]
    public Task Home_ButtonClicked_UpdatesThroughTheCircuit() => RunAsync(async () =>
    {
        await Page.GotoAsync("/");

        // Prerendering is off: the button exists only once the circuit has started, so clicking it proves
        // blazor.web.js loaded, the WebSocket connected and events round-trip.
        await Page.GetByRole(AriaRole.Button, new() { Name = "clicked 0" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "clicked 1" })).ToBeVisibleAsync();
    });
}

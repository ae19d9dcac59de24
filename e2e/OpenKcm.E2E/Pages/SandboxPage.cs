using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/sandbox (Development only): one panel per emulated keystore with its fault controls.</summary>
public sealed class SandboxPage(IPage page)
{
    public const string Path = "sandbox";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Sandbox keystores", Level = 1 });

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    /// <summary>The panel of one emulator ("openbao"), a region named by its heading: the name, then its address.</summary>
    public EmulatorPanel Emulator(string name) =>
        new(page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex($"^{Regex.Escape(name)} ") }), name);

    /// <summary>One emulator's fault controls.</summary>
    public sealed class EmulatorPanel(ILocator panel, string name)
    {
        /// <summary>"Now: serving." / "Now: down (connections refused)." (a polite live region).</summary>
        public ILocator State => panel.GetByRole(AriaRole.Status);

        public ILocator Sealed => panel.GetByRole(AriaRole.Checkbox, new() { Name = "Sealed", Exact = true });

        public ILocator Down => panel.GetByRole(AriaRole.Checkbox, new() { Name = "Down (stop listening)", Exact = true });

        public ILocator ApplyButton => panel.GetByRole(AriaRole.Button, new() { Name = $"Apply faults to {name}", Exact = true });

        public ILocator ResetButton => panel.GetByRole(AriaRole.Button, new() { Name = $"Reset {name}", Exact = true });
    }
}

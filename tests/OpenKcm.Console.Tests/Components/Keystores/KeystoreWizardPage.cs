using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using OpenKcm.Console.Components.Keystores;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// The wizard as a user sees it: steps, labelled fields, buttons by their text, checks by their accessible names.
/// Every query goes back to the current markup, so it is never stale after a re-render. Actions return the event
/// handler's task: awaiting it waits for the handler to finish, saving included.
/// </summary>
internal sealed class KeystoreWizardPage(IRenderedComponent<KeystoreWizard> cut)
{
    public IRenderedComponent<KeystoreWizard> Component => cut;

    public string Markup => cut.Markup;

    /// <summary>The title of the step whose tab is selected.</summary>
    public string CurrentStep => cut.Find("[role=tab][aria-selected=true] .rz-steps-title").TextContent;

    /// <summary>The accessible names of the keystore type choices, in display order.</summary>
    public IReadOnlyList<string> TypeChoices => [.. cut.FindAll("[role=radiogroup] [role=radio]").Select(r => r.GetAttribute("aria-label")!)];

    /// <summary>The alert under the steps (a refused step), or null.</summary>
    public string? StepError => cut.FindAll(".form-alert[role=alert]").Select(e => e.TextContent.Trim()).FirstOrDefault();

    public IReadOnlyList<string> ImportErrors => [.. cut.FindAll("#import-errors [role=alert]").Select(e => e.TextContent.Trim())];

    /// <summary>Each check row's accessible name: "Reach: Passed".</summary>
    public IReadOnlyList<string> Checks => [.. cut.FindAll("ol.check-list > li").Select(li => li.GetAttribute("aria-label")!)];

    public string? TestSummary => cut.FindAll("section[aria-labelledby=step-test] [role=status]").Select(e => e.TextContent.Trim()).FirstOrDefault();

    public IReadOnlyList<string> GuidanceTitles => [.. cut.FindAll(".guidance-block h3").Select(h => h.TextContent)];

    public IElement CheckRow(string name) =>
        cut.FindAll("ol.check-list > li").Single(li => li.QuerySelector(".check-name strong")!.TextContent == name);

    public IElement Field(string id) => cut.Find($"#{id}");

    public string Value(string id) => Field(id).GetAttribute("value") ?? "";

    /// <summary>The text of the field's error element (empty when there is no error).</summary>
    public string FieldError(string id) => cut.Find($"#{id}-error").TextContent.Trim();

    /// <summary>The button whose text is <paramref name="text"/> (its icon's ligature name left out).</summary>
    public IElement Button(string text) => cut.FindAll("button").Single(b => ButtonText(b) == text);

    public bool HasButton(string text) => cut.FindAll("button").Any(b => ButtonText(b) == text);

    private static string? ButtonText(IElement button) => button.QuerySelector(".rz-button-text")?.TextContent.Trim();

    public Task ChooseTypeAsync(string displayName) =>
        cut.FindAll("[role=radiogroup] [role=radio]").Single(r => r.GetAttribute("aria-label")!.StartsWith(displayName + " —", StringComparison.Ordinal))
            .ClickAsync(new MouseEventArgs());

    public Task FillAsync(string id, string value) => Field(id).ChangeAsync(new ChangeEventArgs { Value = value });

    /// <summary>The wizard's own forward button (Next, Save and continue, Continue to activation).</summary>
    public Task NextAsync() => cut.Find(".wizard-nav button.rz-primary").ClickAsync(new MouseEventArgs());

    public Task BackAsync() => Button("Back").ClickAsync(new MouseEventArgs());

    public Task ClickAsync(string buttonText) => Button(buttonText).ClickAsync(new MouseEventArgs());

    /// <summary>Fills the configuration step with valid values for <see cref="ScriptedKeystorePlugin"/>.</summary>
    public async Task FillValidConfigurationAsync(string name, string region, string apiKey)
    {
        await FillAsync("plugin_name", name);
        await FillAsync("region", region);
        await FillAsync("api_key", apiKey);
    }
}

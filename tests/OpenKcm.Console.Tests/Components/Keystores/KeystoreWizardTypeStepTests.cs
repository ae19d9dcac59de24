using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>The Type step with two registered plugins, so nothing is chosen for the user.</summary>
public sealed class KeystoreWizardTypeStepTests : KeystoreWizardTestContext
{
    public KeystoreWizardTypeStepTests()
    {
        Services.AddSingleton<IKeystorePlugin>(new ScriptedKeystorePlugin());
        Services.AddSingleton<IKeystorePlugin>(new ScriptedKeystorePlugin("other_kms", "Another KMS"));
    }

    [Fact]
    public void TypeStep_TwoPluginsRegistered_ListsExactlyThoseByDisplayName()
    {
        var page = RenderNewWizard();

        Assert.Equal("Type", page.CurrentStep);
        Assert.Equal(["Another KMS — Another KMS test double", "Scripted KMS — Scripted KMS test double"], page.TypeChoices);
        Assert.Empty(page.Component.FindAll("[role=radio][aria-checked=true]"));
    }

    [Fact]
    public void TypeStep_Rendered_RadioGroupIsNamedByTheStepHeading()
    {
        var page = RenderNewWizard();

        var group = page.Component.Find("[role=radiogroup]");
        Assert.Equal("step-type", group.GetAttribute("aria-labelledby"));
        Assert.Equal("Choose a keystore type", page.Component.Find("#step-type").TextContent);
    }

    [Fact]
    public async Task TypeStep_NextWithoutAType_ShowsAnErrorAndStays()
    {
        var page = RenderNewWizard();

        await page.NextAsync();

        Assert.Equal("Choose a keystore type to continue.", page.StepError);
        Assert.Equal("Type", page.CurrentStep);
    }

    [Fact]
    public async Task TypeStep_TypeChosenAfterTheError_ClearsItAndMovesToItsConfiguration()
    {
        var page = RenderNewWizard();
        await page.NextAsync();

        await page.ChooseTypeAsync("Another KMS");
        Assert.Null(page.StepError);
        await page.NextAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal("Configure Another KMS", page.Component.Find("#step-config").TextContent);
    }
}

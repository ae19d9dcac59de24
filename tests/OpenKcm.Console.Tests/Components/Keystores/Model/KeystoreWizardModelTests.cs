using System.Collections.Immutable;
using OpenKcm.Console.Components.Keystores.Model;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores.Model;

/// <summary>The wizard's view model on its own: no renderer, no database.</summary>
public sealed class KeystoreWizardModelTests
{
    private readonly ScriptedKeystorePlugin _plugin = new();

    private KeystoreWizardModel ValidModel()
    {
        var model = new KeystoreWizardModel { Name = "primary_kms", TenantId = Guid.NewGuid() };
        model.SelectPlugin(_plugin);
        model.SetValue("region", "eu-west-1");
        model.SetSecretInput("api_key", "typed-api-key");
        return model;
    }

    private static string[] Statuses(KeystoreWizardModel model) => [.. model.Checks.Select(c => c.StatusText)];

    [Fact]
    public void SelectPlugin_Fresh_AppliesTheDescriptorDefaults()
    {
        var model = new KeystoreWizardModel();

        model.SelectPlugin(_plugin);

        Assert.Same(_plugin, model.Plugin);
        Assert.Equal(ScriptedKeystorePlugin.DefaultEndpoint, model.GetValue("endpoint"));
        Assert.Equal("", model.GetValue("region"));
        Assert.Equal(ScriptedKeystorePlugin.DefaultTier, model.GetValue("tier"));
        Assert.Equal(
            ImmutableDictionary<string, string>.Empty.Add("endpoint", ScriptedKeystorePlugin.DefaultEndpoint).Add("tier", ScriptedKeystorePlugin.DefaultTier),
            model.ToSettings().Values);
    }

    [Fact]
    public void SelectPlugin_AnotherKind_ResetsValuesSecretsErrorsAndChecks()
    {
        var model = ValidModel();
        model.SetValue("endpoint", "https://elsewhere.example.test");
        model.Name = "";
        model.ValidateConfiguration();
        model.ResetChecks();
        var other = new ScriptedKeystorePlugin("other_kms", "Another KMS");

        model.SelectPlugin(other);

        Assert.Same(other, model.Plugin);
        Assert.Equal("", model.GetValue("region"));
        Assert.Equal(ScriptedKeystorePlugin.DefaultEndpoint, model.GetValue("endpoint"));
        Assert.Empty(model.SecretInputs);
        Assert.False(model.HasErrors);
        Assert.Empty(model.Checks);
    }

    [Fact]
    public void SelectPlugin_SameKindAgain_KeepsWhatWasEntered()
    {
        var model = ValidModel();

        model.SelectPlugin(_plugin);

        Assert.Equal("eu-west-1", model.GetValue("region"));
        Assert.Equal("typed-api-key", model.GetSecretInput("api_key"));
    }

    [Fact]
    public void ValidateConfiguration_NoPlugin_AsksForTheType()
    {
        var model = new KeystoreWizardModel { Name = "primary_kms", TenantId = Guid.NewGuid() };

        Assert.False(model.ValidateConfiguration());

        Assert.Equal("Choose a keystore type first.", model.ErrorFor(KeystoreWizardModel.NameField));
    }

    [Fact]
    public void ValidateConfiguration_EmptyForm_ReportsEachErrorOnItsField()
    {
        var model = new KeystoreWizardModel();
        model.SelectPlugin(_plugin);

        Assert.False(model.ValidateConfiguration());

        Assert.Equal(
            new Dictionary<string, string>
            {
                [KeystoreWizardModel.NameField] = "Enter a name for the keystore.",
                [KeystoreWizardModel.TenantField] = "Choose the tenant this keystore belongs to.",
                ["region"] = "Region is required.",
                ["api_key"] = "API key is required.",
            },
            model.Errors);
    }

    [Fact]
    public void ValidateConfiguration_BadNameUrlChoiceAndPluginRule_ReportsThemOnTheirFields()
    {
        var model = ValidModel();
        model.Name = "Primary KMS!";
        model.SetValue("endpoint", "kms.example.test");
        model.SetValue("tier", "gold");
        model.SetValue("region", "nowhere");

        Assert.False(model.ValidateConfiguration());

        Assert.StartsWith("Use 3 to 64 lower-case letters", model.ErrorFor(KeystoreWizardModel.NameField));
        Assert.Equal("Endpoint must be an absolute http(s) URL.", model.ErrorFor("endpoint"));
        Assert.Equal("Tier must be one of: standard, premium.", model.ErrorFor("tier"));
        Assert.Equal("No such region.", model.ErrorFor("region"));
        Assert.Null(model.ErrorFor("api_key"));
        Assert.Null(model.ErrorFor(KeystoreWizardModel.TenantField));
    }

    [Fact]
    public void ValidateConfiguration_SecretTyped_CountsAsSet()
    {
        var model = ValidModel();

        Assert.True(model.ValidateConfiguration());

        Assert.Empty(model.Errors);
    }

    [Fact]
    public void ValidateConfiguration_SecretAlreadyStored_CountsAsSet()
    {
        var model = ValidModel();
        model.SetSecretInput("api_key", "");
        model.StoredSecrets = ImmutableHashSet.Create("api_key");

        Assert.True(model.ValidateConfiguration());
    }

    [Fact]
    public void ValidateConfiguration_SecretTypedThenCleared_IsRequiredAgain()
    {
        var model = ValidModel();

        model.SetSecretInput("api_key", "");

        Assert.False(model.ValidateConfiguration());
        Assert.Equal("API key is required.", model.ErrorFor("api_key"));
        Assert.Empty(model.SecretInputs);
    }

    [Fact]
    public void SetValue_FieldWithAnError_ClearsOnlyThatFieldsError()
    {
        var model = new KeystoreWizardModel();
        model.SelectPlugin(_plugin);
        model.ValidateConfiguration();

        model.SetValue("region", "eu-west-1");

        Assert.Null(model.ErrorFor("region"));
        Assert.NotNull(model.ErrorFor("api_key"));
        Assert.NotNull(model.ErrorFor(KeystoreWizardModel.NameField));
    }

    [Fact]
    public void ToSettings_BlankValues_AreLeftOutAndSecretsNeverIncluded()
    {
        var model = ValidModel();
        model.SetValue("endpoint", "   ");
        model.SetValue("tier", null);

        var settings = model.ToSettings();

        Assert.Equal(["region"], settings.Values.Keys);
    }

    [Fact]
    public void ApplyImport_FilledForm_ReplacesEverythingInsteadOfMerging()
    {
        var model = ValidModel();
        model.Name = "";
        model.ValidateConfiguration();
        var imported = new KeystoreSettings(ImmutableDictionary<string, string>.Empty.Add("endpoint", "https://kms.eu.example.test"));

        model.ApplyImport("imported_kms", imported, ImmutableDictionary<string, string>.Empty);

        Assert.Equal("imported_kms", model.Name);
        Assert.Equal("", model.GetValue("region"));
        Assert.Equal("https://kms.eu.example.test", model.GetValue("endpoint"));
        Assert.Empty(model.SecretInputs);
        Assert.False(model.HasErrors);
    }

    [Fact]
    public void ResetChecks_PluginChosen_ListsEveryCheckPending()
    {
        var model = ValidModel();

        model.ResetChecks();

        Assert.Equal(["reach", "authenticate", "wrap"], model.Checks.Select(c => c.Definition.Id));
        Assert.Equal(["Pending", "Pending", "Pending"], Statuses(model));
        Assert.False(model.TestPassed);
    }

    [Fact]
    public void ApplyCheckResult_Passed_MarksItDoneAndTheNextOneRunning()
    {
        var model = ValidModel();
        model.ResetChecks();
        model.Checks[0].IsRunning = true;

        model.ApplyCheckResult(ScriptedKeystorePlugin.Passed("reach", 12));

        Assert.Equal(["Passed", "Running", "Pending"], Statuses(model));
        Assert.Equal(TimeSpan.FromMilliseconds(12), model.Checks[0].Result!.Duration);
        Assert.Equal(["check-passed", "check-running", "check-pending"], model.Checks.Select(c => c.CssClass));
    }

    [Fact]
    public void ApplyCheckResult_Warning_KeepsGoing()
    {
        var model = ValidModel();
        model.ResetChecks();

        model.ApplyCheckResult(new CheckResult("reach", CheckOutcome.Warning, TimeSpan.FromMilliseconds(3), "Slow.", "Look at the network."));

        Assert.Equal(["Warning", "Running", "Pending"], Statuses(model));
    }

    [Fact]
    public void ApplyCheckResult_Failed_StopsWithNothingRunning()
    {
        var model = ValidModel();
        model.ResetChecks();
        model.ApplyCheckResult(ScriptedKeystorePlugin.Passed("reach"));

        model.ApplyCheckResult(new CheckResult("authenticate", CheckOutcome.Failed, TimeSpan.FromMilliseconds(5), "Rejected.", "Check the API key."));

        Assert.Equal(["Passed", "Failed", "Pending"], Statuses(model));
        Assert.DoesNotContain(model.Checks, c => c.IsRunning);
        Assert.False(model.TestPassed);
    }

    [Fact]
    public void ApplyCheckResult_UnknownCheckId_ChangesNothing()
    {
        var model = ValidModel();
        model.ResetChecks();

        model.ApplyCheckResult(ScriptedKeystorePlugin.Passed("not_a_check"));

        Assert.Equal(["Pending", "Pending", "Pending"], Statuses(model));
    }

    [Theory]
    [InlineData(CheckOutcome.Passed, CheckOutcome.Passed, CheckOutcome.Passed, true)]
    [InlineData(CheckOutcome.Passed, CheckOutcome.Warning, CheckOutcome.Passed, true)]
    [InlineData(CheckOutcome.Passed, CheckOutcome.Failed, CheckOutcome.Skipped, false)]
    [InlineData(CheckOutcome.Passed, CheckOutcome.Passed, CheckOutcome.Skipped, false)]
    public void TestPassed_EveryCheckReported_IsTrueOnlyWhenAllPassedOrWarned(CheckOutcome reach, CheckOutcome authenticate, CheckOutcome wrap, bool passed)
    {
        var model = ValidModel();
        model.ResetChecks();

        model.ApplyCheckResult(new CheckResult("reach", reach, TimeSpan.Zero, "."));
        model.ApplyCheckResult(new CheckResult("authenticate", authenticate, TimeSpan.Zero, "."));
        model.ApplyCheckResult(new CheckResult("wrap", wrap, TimeSpan.Zero, "."));

        Assert.Equal(passed, model.TestPassed);
    }

    [Fact]
    public void TestPassed_SomeChecksStillOutstanding_IsFalse()
    {
        var model = ValidModel();
        model.ResetChecks();

        model.ApplyCheckResult(ScriptedKeystorePlugin.Passed("reach"));
        model.ApplyCheckResult(ScriptedKeystorePlugin.Passed("authenticate"));

        Assert.False(model.TestPassed);
    }

    [Fact]
    public void TestPassed_NoChecks_IsFalse()
    {
        Assert.False(new KeystoreWizardModel().TestPassed);
    }
}

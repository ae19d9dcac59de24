using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Components.Keystores.Model;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Keystores;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;

namespace OpenKcm.Console.Components.Keystores;

/// <summary>
/// The Add New Keystore wizard. Steps move only through Back/Next so each forward move can validate the current
/// step and save the draft before it happens (RadzenSteps' own buttons and header clicks are off: style.md trap 6).
/// Test Connection runs inside its step, streaming each check as it finishes.
/// </summary>
public sealed partial class KeystoreWizard : IAsyncDisposable
{
    private const int TypeStep = 0;
    private const int ConfigurationStep = 1;
    private const int PermissionsStep = 2;
    private const int TestStep = 3;
    private const int LastStep = 4;

    private int _step;
    private bool _busy;
    private bool _testing;
    private bool _activating;
    private bool _showImport;
    private string _importJson = "";
    private IReadOnlyList<string> _importErrors = [];
    private IReadOnlyList<Tenant> _tenants = [];
    private PermissionGuidance? _guidance;
    private string? _stepError;
    private string? _loadError;
    private string? _testSummary;
    private string? _activationResult;
    private string? _activationError;
    private bool _activated;
    private CancellationTokenSource? _testCancellation;
    private Task _testRun = Task.CompletedTask;

    [Parameter] public Guid? KeystoreId { get; set; }

    [Inject] public required PluginRegistry Registry { get; init; }

    [Inject] public required KeystoreSetupService Setup { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [Inject] public required ILogger<KeystoreWizard> Logger { get; init; }

    internal KeystoreWizardModel Model { get; } = new();

    private string NextLabel => _step switch
    {
        ConfigurationStep => "Save and continue",
        TestStep => "Continue to activation",
        _ => "Next",
    };

    protected override async Task OnInitializedAsync()
    {
        _tenants = await Setup.ListTenantsAsync(CancellationToken.None);
        Model.TenantId = _tenants.FirstOrDefault(t => t.Name == Tenant.DefaultName)?.Id ?? _tenants.FirstOrDefault()?.Id;
        if (KeystoreId is { } id)
        {
            var resume = await Setup.LoadDraftAsync(id, Model, CancellationToken.None);
            if (resume is null)
            {
                _loadError = "This keystore does not exist (it may have been removed).";
                return;
            }

            _guidance = Model.Plugin!.GetPermissionGuidance(Model.ToSettings());
            _activated = Model.ActiveVersion == Model.Version;
            _step = resume.Value;
        }
        else if (Registry.All.Count == 1)
        {
            Model.SelectPlugin(Registry.All[0]);
        }
    }

    private void SelectKind(string kind)
    {
        if (Registry.Find(kind) is { } plugin)
        {
            Model.SelectPlugin(plugin);
            _stepError = null;
        }
    }

    private async Task NextAsync()
    {
        _stepError = null;
        switch (_step)
        {
            case TypeStep when Model.Plugin is null:
                _stepError = "Choose a keystore type to continue.";
                return;
            case ConfigurationStep:
                if (!await SaveConfigurationAsync())
                {
                    return;
                }

                break;
            case TestStep when !Model.TestPassed:
                _stepError = "Run Test Connection until every check passes before activating.";
                return;
        }

        _step++;
    }

    private Task BackAsync()
    {
        _stepError = null;
        if (_step > 0)
        {
            _step--;
        }

        return Task.CompletedTask;
    }

    private async Task<bool> SaveConfigurationAsync()
    {
        if (!Model.ValidateConfiguration())
        {
            _stepError = "Correct the highlighted fields to continue.";
            return false;
        }

        _busy = true;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var versionBefore = Model.Version;
            var saved = await Setup.SaveDraftAsync(Model, actor, CancellationToken.None);
            if (!saved)
            {
                _stepError = "Correct the highlighted fields to continue.";
                return false;
            }

            if (Model.Version != versionBefore)
            {
                // A new version is untested and not active: results shown for the previous one no longer apply.
                _testSummary = null;
                _activationResult = null;
                _activationError = null;
                _activated = false;
            }

            _guidance = Model.Plugin!.GetPermissionGuidance(Model.ToSettings());
            if (KeystoreId is null && Model.KeystoreId is { } id)
            {
                // The draft now exists: make the address resumable without re-rendering the page.
                Navigation.NavigateTo($"keystores/{id}/setup", new NavigationOptions { ReplaceHistoryEntry = true });
            }

            return true;
        }
        catch (KeystoreCommandException e)
        {
            // Changed behind the wizard's back (retired, edited concurrently by another administrator): say so; an
            // exception escaping an event handler would end the circuit.
            _stepError = e.Message;
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Saving the configuration of keystore {KeystoreId} failed.", Model.KeystoreId);
            _stepError = "The configuration could not be saved (the console could not write its database or audit log); nothing was saved. The server log has the details.";
            return false;
        }
        finally
        {
            _busy = false;
        }
    }

    private void ApplyImport()
    {
        var result = Setup.ParseImport(_importJson, Model);
        _importErrors = result;
        if (result.Count == 0)
        {
            _showImport = false;
            _importJson = "";
        }
    }

    /// <summary>Starts Test Connection; the run is kept so <see cref="DisposeAsync"/> can cancel and await it.</summary>
    private Task RunTestAsync() => _testRun = RunTestCoreAsync();

    private async Task RunTestCoreAsync()
    {
        if (Model.KeystoreId is not { } id || Model.Version is not { } version)
        {
            _stepError = "Save the configuration first.";
            return;
        }

        _testing = true;
        _testSummary = null;
        _stepError = null;
        Model.ResetChecks();
        if (Model.Checks.Count > 0)
        {
            Model.Checks[0].IsRunning = true;
        }

        _testCancellation = new CancellationTokenSource();
        try
        {
            var actor = await CurrentActor.GetAsync();
            await foreach (var result in Setup.TestAsync(id, version, actor, _testCancellation.Token))
            {
                Model.ApplyCheckResult(result);
                StateHasChanged();
            }

            var failed = Model.Checks.FirstOrDefault(c => c.Result?.Outcome == CheckOutcome.Failed);
            _testSummary = failed is null
                ? Model.Checks.Any(c => c.Result?.Outcome == CheckOutcome.Warning)
                    ? "All checks passed, with warnings. This version can be activated."
                    : "All checks passed. This version can be activated."
                : $"Test failed at “{failed.Definition.Name}”. Fix the cause and run the test again.";
        }
        catch (OperationCanceledException)
        {
            _testSummary = "Test cancelled.";
            StopRunningChecks();
        }
        catch (KeystoreCommandException e)
        {
            _stepError = e.Message;
            StopRunningChecks();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Test Connection of keystore {KeystoreId} version {Version} could not run or be recorded.", id, version);
            _stepError = "Test Connection could not run or its result could not be recorded (database or audit log unavailable). The server log has the details.";
            StopRunningChecks();
        }
        finally
        {
            _testing = false;
            _testCancellation.Dispose();
            _testCancellation = null;
        }
    }

    private void StopRunningChecks()
    {
        foreach (var check in Model.Checks)
        {
            check.IsRunning = false;
        }
    }

    private void CancelTest() => _testCancellation?.Cancel();

    private async Task ActivateAsync()
    {
        if (Model.KeystoreId is not { } id || Model.Version is not { } version)
        {
            return;
        }

        _activating = true;
        _activationError = null;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var outcome = await Setup.ActivateAsync(id, version, actor, CancellationToken.None);
            _activationResult = outcome.ResultJson;
            _activationError = outcome.Error;
            _activated = outcome.Activated;
        }
        finally
        {
            _activating = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Cancel and await (style.md, Blazor trap 3): the run ends its own cancellation; it never throws for it.
        _testCancellation?.Cancel();
        await _testRun;
    }
}

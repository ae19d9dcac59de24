using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Keystores;

/// <summary>External Keystores → Plugin Configuration: every keystore with type, tenant, state and last test.</summary>
public sealed partial class PluginConfiguration
{
    private IReadOnlyList<KeystoreInfo> _keystores = [];
    private string? _message;
    private bool _messageIsError;
    private string? _export;
    private KeystoreInfo? _thresholdsOf;

    [Inject] public required KeystoreService Keystores { get; init; }

    [Inject] public required PluginRegistry Registry { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync() => _keystores = await Keystores.ListAsync(tenantId: null, CancellationToken.None);

    private Task SuspendAsync(KeystoreInfo keystore) =>
        RunAsync(async actor => await Keystores.SuspendAsync(keystore.Id, actor, CancellationToken.None), $"{keystore.Name} suspended.");

    private Task ResumeAsync(KeystoreInfo keystore) =>
        RunAsync(async actor => await Keystores.ResumeAsync(keystore.Id, actor, CancellationToken.None), $"{keystore.Name} resumed.");

    private async Task ExportAsync(KeystoreInfo keystore)
    {
        _export = await Keystores.ExportAsync(keystore.Id, version: null, await CurrentActor.GetAsync(), CancellationToken.None);
    }

    private async Task RunAsync(Func<OpenKcm.Core.Audit.Actor, Task> action, string success)
    {
        try
        {
            await action(await CurrentActor.GetAsync());
            (_message, _messageIsError) = (success, false);
        }
        catch (KeystoreCommandException e)
        {
            (_message, _messageIsError) = (e.Message, true);
        }

        await ReloadAsync();
    }
}

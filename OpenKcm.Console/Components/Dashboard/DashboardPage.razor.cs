using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Dashboard;

/// <summary>
/// Live keystore status. Subscribes to the health feed (snapshot + changes under one lock, so nothing falls
/// between them), applies each batch on the renderer through <see cref="ComponentBase.InvokeAsync(Func{Task})"/>,
/// and cancels and awaits its loop on dispose so a closed tab leaves no subscription behind.
/// </summary>
public sealed partial class DashboardPage : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private Task? _watch;

    [Inject] public required HealthFeed Feed { get; init; }

    internal DashboardViewModel ViewModel { get; } = new();

    protected override void OnInitialized()
    {
        var subscription = Feed.Subscribe(_cts.Token);
        ViewModel.Load(subscription.Snapshot);
        _watch = Task.Run(() => WatchAsync(subscription.Changes, _cts.Token));
    }

    private async Task WatchAsync(IAsyncEnumerable<IReadOnlyList<KeystoreHealthChange>> changes, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in changes.WithCancellation(cancellationToken))
            {
                await InvokeAsync(() =>
                {
                    if (ViewModel.Apply(batch))
                    {
                        StateHasChanged();
                    }
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void OnWindowChanged(ChangeEventArgs e)
    {
        if (Enum.TryParse<MetricsWindow>(e.Value as string, out var window) && Enum.IsDefined(window))
        {
            ViewModel.Window = window;
        }
    }

    private void OnTenantChanged(ChangeEventArgs e) =>
        ViewModel.TenantFilter = e.Value as string is { Length: > 0 } tenant ? tenant : null;

    private void OnStatusChanged(ChangeEventArgs e) =>
        ViewModel.StatusFilter = Enum.TryParse<KeystoreHealthStatus>(e.Value as string, out var status) && Enum.IsDefined(status) ? status : null;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        _cts.Dispose();
    }
}

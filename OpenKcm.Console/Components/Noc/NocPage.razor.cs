using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Console.Components.Noc.Model;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Noc;

/// <summary>
/// The NOC wall display: every keystore as a compact tile, counts, a clock and the latest critical condition, live
/// from the health feed. A one-second tick (on the injected <see cref="TimeProvider"/>) advances the clock and marks
/// the page stale when the feed has been silent too long (<see cref="FeedStaleness"/>). Losing the connection to the
/// console is handled in the browser (app.js). Both background loops are cancelled and awaited on dispose.
/// <para>Opened with a display token, the page leaves for <c>/noc/connect</c> (full reload) the moment that token is
/// revoked in this process (<see cref="DisplayTokenService.Revoked"/>), rather than at the circuit's next
/// revalidation up to a minute later.</para>
/// </summary>
public sealed partial class NocPage : IAsyncDisposable
{
    /// <summary>How often the clock and the staleness check run.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cts = new();
    private FeedStaleness? _staleness;
    private Task? _watch;
    private Task? _tick;

    [Inject] public required HealthFeed Feed { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required IOptions<HealthOptions> HealthOptions { get; init; }

    [Inject] public required DisplayTokenService DisplayTokens { get; init; }

    [Inject] public required AuthenticationStateProvider AuthenticationState { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    private Guid? _displayTokenId;
    private bool _disposed;

    internal DashboardViewModel ViewModel { get; } = new();

    internal DateTimeOffset Now { get; private set; }

    private ImmutableArray<KeystoreHealth> Tiles => ViewModel.Tiles;

    /// <summary>When the shown data stopped being updated, or null while it is fresh.</summary>
    internal DateTimeOffset? StaleSince => _staleness?.StaleSince(Now, Tiles);

    protected override async Task OnInitializedAsync()
    {
        Now = Time.GetUtcNow();
        _staleness = new FeedStaleness(HealthOptions.Value.ProbeInterval, Now);
        var subscription = Feed.Subscribe(_cts.Token);
        ViewModel.Load(subscription.Snapshot);
        _watch = Task.Run(() => WatchAsync(subscription.Changes, _cts.Token));
        // Created here, not inside the loop, so the first tick is due one interval after the page opened.
        var timer = new PeriodicTimer(TickInterval, Time);
        _tick = Task.Run(() => TickAsync(timer, _cts.Token));

        // After the snapshot is loaded, so the first render has the tiles whatever this await does.
        _displayTokenId = DisplayPrincipal.TokenIdOf((await AuthenticationState.GetAuthenticationStateAsync()).User);
        if (_displayTokenId is not null && !_disposed)
        {
            DisplayTokens.Revoked += OnRevoked;
        }
    }

    private async Task WatchAsync(IAsyncEnumerable<IReadOnlyList<KeystoreHealthChange>> changes, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in changes.WithCancellation(cancellationToken))
            {
                await InvokeAsync(() =>
                {
                    Now = Time.GetUtcNow();
                    _staleness!.Updated(Now);
                    ViewModel.Apply(batch);

                    // Re-render even when no tile changed: the update may end a stale period.
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        using var owned = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(() =>
                {
                    Now = Time.GetUtcNow();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Raised on the revoking thread: hand over to the renderer and return at once; never throws.</summary>
    private void OnRevoked(Guid revokedId)
    {
        if (revokedId == _displayTokenId)
        {
            _ = LeaveAsync();
        }
    }

    private async Task LeaveAsync()
    {
        try
        {
            await InvokeAsync(() => Navigation.NavigateTo(DisplayAuthentication.ConnectPath, forceLoad: true));
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away meanwhile: nothing left to show.
        }
    }

    /// <summary>How long the feed has been silent, in whole seconds or minutes ("45 s", "3 min").</summary>
    private string Silence(DateTimeOffset since)
    {
        var silence = Now - since;
        return silence < TimeSpan.FromMinutes(2) ? $"{(int)silence.TotalSeconds} s" : $"{(int)silence.TotalMinutes} min";
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        DisplayTokens.Revoked -= OnRevoked;
        await _cts.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        if (_tick is not null)
        {
            await _tick;
        }

        _cts.Dispose();
    }
}

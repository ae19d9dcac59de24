using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Dashboard;

/// <summary>
/// Latency of one keystore over a chosen range: stored history from <see cref="IHealthHistory"/> (resolved
/// optionally, so the page works where no history store is registered) plus a live point each time the page's
/// tiles bring a newer result for the charted keystore.
/// </summary>
public sealed partial class LatencyChart : IDisposable
{
    private CancellationTokenSource? _query;
    private string? _historyError;

    [Inject] public required IServiceProvider Services { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required ILogger<LatencyChart> Logger { get; init; }

    /// <summary>The keystores that can be charted (the dashboard's tiles, latest state).</summary>
    [Parameter, EditorRequired] public required ImmutableArray<KeystoreHealth> Keystores { get; set; }

    internal LatencyChartModel Model { get; } = new();

    private IHealthHistory? History => Services.GetService<IHealthHistory>();

    private bool HistoryAvailable => History is not null;

    // Seconds for the short ranges: a page open for a few minutes otherwise labels every tick with the same minute.
    private string AxisFormat => Model.Range switch
    {
        ChartRange.FifteenMinutes or ChartRange.OneHour => "{0:HH:mm:ss}",
        ChartRange.OneDay => "{0:HH:mm}",
        _ => "{0:dd MMM HH:mm}",
    };

    private string Summary
    {
        get
        {
            var name = Model.KeystoreId is { } id ? Keystores.FirstOrDefault(k => k.KeystoreId == id)?.Name : null;
            if (name is null)
            {
                return "No keystore to chart.";
            }

            var latest = Model.Live.Count > 0 ? Model.Live[^1] : Model.StoredAverage.Count > 0 ? Model.StoredAverage[^1] : null;
            return $"{name}, last {LatencyChartModel.Text(Model.Range)}: {Model.StoredCount} stored bucket{(Model.StoredCount == 1 ? "" : "s")}, " +
                $"{Model.Live.Count} live point{(Model.Live.Count == 1 ? "" : "s")}" +
                (latest is null ? "." : $"; latest average {DashboardViewModel.Latency(TimeSpan.FromMilliseconds(latest.Milliseconds))}.");
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var selected = Model.KeystoreId is { } id && Keystores.Any(k => k.KeystoreId == id)
            ? id
            : Keystores.IsDefaultOrEmpty ? (Guid?)null : Keystores[0].KeystoreId;
        var changed = selected != Model.KeystoreId;
        Model.Select(selected);
        if (selected is { } current && Keystores.FirstOrDefault(k => k.KeystoreId == current) is { } health)
        {
            Model.AddLive(health);
        }

        Model.TrimLive(Time.GetUtcNow());
        if (changed)
        {
            await LoadHistoryAsync();
        }
    }

    private async Task OnKeystoreChangedAsync(ChangeEventArgs e)
    {
        if (Guid.TryParse(e.Value as string, out var id) && Keystores.Any(k => k.KeystoreId == id))
        {
            Model.Select(id);
            if (Keystores.FirstOrDefault(k => k.KeystoreId == id) is { } health)
            {
                Model.AddLive(health);
            }

            await LoadHistoryAsync();
        }
    }

    private async Task OnRangeChangedAsync(ChangeEventArgs e)
    {
        if (Enum.TryParse<ChartRange>(e.Value as string, out var range) && Enum.IsDefined(range))
        {
            Model.SetRange(range);
            Model.TrimLive(Time.GetUtcNow());
            await LoadHistoryAsync();
        }
    }

    /// <summary>Queries the stored history for the current keystore and range; a newer query cancels an older one.</summary>
    private async Task LoadHistoryAsync()
    {
        if (_query is not null)
        {
            await _query.CancelAsync();
            _query.Dispose();
        }

        _query = new CancellationTokenSource();
        var token = _query.Token;
        _historyError = null;
        if (History is not { } history || Model.KeystoreId is not { } id)
        {
            Model.SetStored([]);
            return;
        }

        var now = Time.GetUtcNow();
        try
        {
            var samples = await history.QueryAsync(id, now - LatencyChartModel.Length(Model.Range), now, token);
            if (!token.IsCancellationRequested && Model.KeystoreId == id)
            {
                Model.SetStored(samples);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The chart is not worth a broken page: say so, keep the live points, log the details.
            Logger.LogWarning(ex, "Reading the stored health history of keystore {KeystoreId} failed.", id);
            Model.SetStored([]);
            _historyError = "The stored history could not be read; the chart shows live points only. The server log has the details.";
        }
    }

    public void Dispose()
    {
        _query?.Cancel();
        _query?.Dispose();
    }
}

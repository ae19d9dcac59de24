using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging;
using OpenKcm.Console.Components.Alerts.Model;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Components.Alerts;

/// <summary>
/// The alert centre: alerts newest first with filters, each with its webhook deliveries, acknowledged one by one or all
/// visible at once (Administrator, KeyAdministrator, Operator; the Auditor reads). Reloads when the alert centre
/// changes, at most once per <see cref="RefreshInterval"/>, on a loop that <see cref="DisposeAsync"/> cancels and awaits.
/// A failed reload (database unavailable) shows "Could not refresh the alerts: …; retrying" (role=alert) and is retried
/// with backoff (<see cref="RetryDelay"/>) until one succeeds; the loop never ends before the page does.
/// </summary>
public sealed partial class AlertsPage : IAsyncDisposable
{
    /// <summary>Minimum time between two reloads caused by changes (a flapping keystore must not re-render constantly).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the delay between retries of a failed reload.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private const int MaxReasonLength = 200;

    private readonly AlertFilter _filter = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<AlertListItem>? _items;
    private int _total;
    private int _unacknowledged;
    private bool _canAcknowledge;
    private bool _busy;
    private string? _message;
    private bool _messageIsError;
    private string? _refreshError;
    private Task? _refreshLoop;

    [Inject] public required AlertCentre Alerts { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required IAuthorizationService Authorization { get; init; }

    [Inject] public required ILogger<AlertsPage> Logger { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? AuthenticationState { get; set; }

    private List<Guid> OpenVisible => _items is null ? [] : [.. _items.Where(i => i.Alert.AcknowledgedAt is null).Select(i => i.Alert.Id)];

    protected override async Task OnInitializedAsync()
    {
        _canAcknowledge = await MayAcknowledgeAsync();
        Alerts.Changed += OnAlertsChanged;
        _refreshLoop = Task.Run(RefreshLoopAsync);
        if (!await TryLoadAsync())
        {
            OnAlertsChanged(); // The loop retries.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Alerts.Changed -= OnAlertsChanged;
        await _disposed.CancelAsync();
        if (_refreshLoop is not null)
        {
            try
            {
                await _refreshLoop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _disposed.Dispose();
        _changed.Dispose();
    }

    private static string SeverityClass(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "status-critical",
        AlertSeverity.Warning => "status-warning",
        _ => "severity-info",
    };

    private async Task<bool> MayAcknowledgeAsync()
    {
        if (AuthenticationState is null)
        {
            return false;
        }

        var user = (await AuthenticationState).User;
        return (await Authorization.AuthorizeAsync(user, Policies.AcknowledgeAlerts)).Succeeded;
    }

    private void OnAlertsChanged()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or the page is going away.
        }
    }

    /// <summary>The delay before retry <paramref name="failures"/> of a failed reload: 1 s doubling, capped at <see cref="MaxRetryDelay"/>.</summary>
    internal static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromTicks(Math.Min(RefreshInterval.Ticks << Math.Clamp(failures - 1, 0, 16), MaxRetryDelay.Ticks));

    private async Task RefreshLoopAsync()
    {
        var token = _disposed.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            // After a failure the next reload comes without waiting for a change.
            if (failures == 0)
            {
                await _changed.WaitAsync(token);
            }

            var loaded = false;
            await InvokeAsync(async () =>
            {
                loaded = await TryLoadAsync();
                StateHasChanged();
            });
            failures = loaded ? 0 : failures + 1;
            await Task.Delay(loaded ? RefreshInterval : RetryDelay(failures), token);
        }
    }

    /// <summary>Reloads; on failure keeps what is shown, sets the refresh error and returns false. Never throws.</summary>
    private async Task<bool> TryLoadAsync()
    {
        try
        {
            await LoadAsync();
            _refreshError = null;
            return true;
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Could not refresh the alerts; retrying.");
            var reason = ex.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
            if (reason.Length > MaxReasonLength)
            {
                reason = reason[..MaxReasonLength] + "…";
            }

            _refreshError = $"Could not refresh the alerts: {(reason.Length == 0 ? ex.GetType().Name : reason)}; retrying.";
            return false;
        }
    }

    private async Task LoadAsync()
    {
        var page = await Alerts.ListAsync(_filter.ToQuery(), CancellationToken.None);
        _items = page.Items;
        _total = page.TotalCount;
        _unacknowledged = Alerts.UnacknowledgedCount;
    }

    private async Task ApplyFiltersAsync()
    {
        if (!await TryLoadAsync())
        {
            OnAlertsChanged(); // The loop retries.
        }
    }

    private Task AcknowledgeVisibleAsync() => AcknowledgeAsync(OpenVisible);

    private async Task AcknowledgeAsync(IReadOnlyCollection<Guid> ids)
    {
        // Enforced here too, not only by hiding the buttons.
        if (!await MayAcknowledgeAsync())
        {
            Show("Your role may read alerts but not acknowledge them.", isError: true);
            return;
        }

        _busy = true;
        try
        {
            var count = await Alerts.AcknowledgeAsync(ids, await CurrentActor.GetAsync(), CancellationToken.None);
            Show(count == 1 ? "1 alert acknowledged." : $"{count} alerts acknowledged.", isError: false);
        }
        catch (AuditWriteException)
        {
            Show("Not acknowledged: the audit log cannot be written. Nothing changed; try again later.", isError: true);
        }
        finally
        {
            _busy = false;
        }

        if (!await TryLoadAsync())
        {
            OnAlertsChanged(); // The loop retries.
        }
    }

    private void Show(string message, bool isError)
    {
        _message = message;
        _messageIsError = isError;
    }
}

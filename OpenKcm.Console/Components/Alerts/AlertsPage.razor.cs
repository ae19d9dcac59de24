using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpenKcm.Console.Components.Alerts.Model;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Components.Alerts;

/// <summary>
/// The alert centre: alerts newest first with filters, each with its webhook deliveries, acknowledged one by one or all
/// visible at once (Administrator, KeyAdministrator, Operator; the Auditor reads). Reloads when the alert centre
/// changes, at most once per <see cref="RefreshInterval"/>, on a loop that <see cref="DisposeAsync"/> cancels and awaits.
/// </summary>
public sealed partial class AlertsPage : IAsyncDisposable
{
    /// <summary>Minimum time between two reloads caused by changes (a flapping keystore must not re-render constantly).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

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
    private Task? _refreshLoop;

    [Inject] public required AlertCentre Alerts { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required IAuthorizationService Authorization { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? AuthenticationState { get; set; }

    private List<Guid> OpenVisible => _items is null ? [] : [.. _items.Where(i => i.Alert.AcknowledgedAt is null).Select(i => i.Alert.Id)];

    protected override async Task OnInitializedAsync()
    {
        _canAcknowledge = await MayAcknowledgeAsync();
        Alerts.Changed += OnAlertsChanged;
        _refreshLoop = Task.Run(RefreshLoopAsync);
        await LoadAsync();
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

    private async Task RefreshLoopAsync()
    {
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            await _changed.WaitAsync(token);
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
            await Task.Delay(RefreshInterval, token);
        }
    }

    private async Task LoadAsync()
    {
        var page = await Alerts.ListAsync(_filter.ToQuery(), CancellationToken.None);
        _items = page.Items;
        _total = page.TotalCount;
        _unacknowledged = Alerts.UnacknowledgedCount;
    }

    private Task ApplyFiltersAsync() => LoadAsync();

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

        await LoadAsync();
    }

    private void Show(string message, bool isError)
    {
        _message = message;
        _messageIsError = isError;
    }
}

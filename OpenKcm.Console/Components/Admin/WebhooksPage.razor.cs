using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using OpenKcm.Console.Components.Admin.Model;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Admin;

/// <summary>
/// Webhook administration (Administrators, <see cref="Policies.ManageWebhooks"/>): list with last delivery, create
/// (the secret shown once with a copy button), edit, rotate secret, delete after confirmation, send a test event.
/// Reloads when the alert centre reports a change (a delivery finished), at most once per
/// <see cref="OpenKcm.Console.Components.Alerts.AlertsPage.RefreshInterval"/>.
/// </summary>
public sealed partial class WebhooksPage : IAsyncDisposable
{
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<WebhookInfo>? _webhooks;
    private WebhookForm _form = new();
    private WebhookInfo? _editing;
    private WebhookInfo? _confirmDelete;
    private CreatedWebhook? _secret;
    private IReadOnlyList<FieldError> _errors = [];
    private string? _message;
    private bool _messageIsError;
    private string? _copied;
    private bool _busy;
    private Task? _refreshLoop;

    [Inject] public required WebhookService Webhooks { get; init; }

    [Inject] public required AlertCentre Alerts { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    protected override async Task OnInitializedAsync()
    {
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

    private string? Error(string field) => _errors.FirstOrDefault(e => e.Field == field)?.Message;

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
            await Task.Delay(OpenKcm.Console.Components.Alerts.AlertsPage.RefreshInterval, token);
        }
    }

    private async Task LoadAsync() => _webhooks = await Webhooks.ListAsync(CancellationToken.None);

    private void StartEdit(WebhookInfo webhook)
    {
        _editing = webhook;
        _form = WebhookForm.From(webhook);
        _errors = [];
    }

    private void CancelEdit()
    {
        _editing = null;
        _form = new();
        _errors = [];
    }

    private void DismissSecret()
    {
        _secret = null;
        _copied = null;
    }

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            var actor = await CurrentActor.GetAsync();
            if (_editing is null)
            {
                var result = await Webhooks.CreateAsync(_form.ToDraft(), actor, CancellationToken.None);
                _errors = result.Errors;
                if (result.Succeeded)
                {
                    _secret = result.Value;
                    _copied = null;
                    _form = new();
                    Show($"Webhook {result.Value.Webhook.Name} created.", isError: false);
                }
            }
            else
            {
                var result = await Webhooks.UpdateAsync(_editing.Id, _editing.Revision, _form.ToDraft(), actor, CancellationToken.None);
                if (result is null)
                {
                    Show("That webhook was deleted meanwhile.", isError: true);
                    CancelEdit();
                }
                else
                {
                    _errors = result.Errors;
                    if (result.Succeeded)
                    {
                        Show($"Webhook {result.Value.Name} saved.", isError: false);
                        CancelEdit();
                    }
                }
            }
        }
        catch (AuditWriteException)
        {
            Show("Not saved: the audit log cannot be written. Nothing changed; try again later.", isError: true);
        }
        finally
        {
            _busy = false;
        }

        await LoadAsync();
    }

    private async Task RotateAsync(WebhookInfo webhook)
    {
        await RunAsync(async actor =>
        {
            var rotated = await Webhooks.RotateSecretAsync(webhook.Id, actor, CancellationToken.None);
            if (rotated is null)
            {
                Show("That webhook was deleted meanwhile.", isError: true);
                return;
            }

            _secret = rotated;
            _copied = null;
            Show($"New signing secret for {webhook.Name}: deliveries from now on are signed with it.", isError: false);
        });
    }

    private async Task SendTestAsync(WebhookInfo webhook)
    {
        await RunAsync(async actor =>
        {
            var id = await Webhooks.SendTestAsync(webhook.Id, actor, CancellationToken.None);
            Show(id is null ? "That webhook was deleted meanwhile." : $"Test event queued for {webhook.Name}; its state appears under Last delivery.", isError: id is null);
        });
    }

    private async Task DeleteConfirmedAsync()
    {
        if (_confirmDelete is not { } doomed)
        {
            return;
        }

        await RunAsync(async actor =>
        {
            var deleted = await Webhooks.DeleteAsync(doomed.Id, actor, CancellationToken.None);
            _confirmDelete = null;
            if (_editing?.Id == doomed.Id)
            {
                CancelEdit();
            }

            Show(deleted ? $"Webhook {doomed.Name} deleted." : "That webhook was deleted meanwhile.", isError: !deleted);
        });
    }

    private async Task CopySecretAsync()
    {
        if (_secret is null)
        {
            return;
        }

        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _secret.Secret);
            _copied = "Copied to the clipboard.";
        }
        catch (JSException)
        {
            _copied = "The browser did not allow copying; select the text and copy it by hand.";
        }
    }

    private async Task RunAsync(Func<OpenKcm.Core.Audit.Actor, Task> action)
    {
        _busy = true;
        try
        {
            await action(await CurrentActor.GetAsync());
        }
        catch (AuditWriteException)
        {
            Show("Not done: the audit log cannot be written. Nothing changed; try again later.", isError: true);
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

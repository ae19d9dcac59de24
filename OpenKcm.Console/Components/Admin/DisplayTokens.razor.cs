using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Components.Admin;

/// <summary>
/// Administrators create, list and revoke display tokens. A created token's text lives only in this circuit's
/// memory until "Done" or the page closes; it is never stored, logged or audited.
/// </summary>
public sealed partial class DisplayTokens
{
    private IReadOnlyList<DisplayTokenInfo> _tokens = [];
    private DisplayTokenCreated? _created;
    private string _name = "";
    private int _days = (int)DisplayTokenService.DefaultLifetime.TotalDays;
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    [Inject] public required DisplayTokenService Tokens { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task OnInitializedAsync() => _tokens = await Tokens.ListAsync(CancellationToken.None);

    private async Task CreateAsync()
    {
        _busy = true;
        _message = null;
        _created = null;
        try
        {
            if (_days is < 1 or > 365)
            {
                Show("Choose between 1 and 365 days.", error: true);
                return;
            }

            var (created, error) = await Tokens.CreateAsync(_name, Now.AddDays(_days), await CurrentActor.GetAsync(), CancellationToken.None);
            if (created is null)
            {
                Show(error!, error: true);
                return;
            }

            _created = created;
            _name = "";
            _tokens = await Tokens.ListAsync(CancellationToken.None);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(DisplayTokenInfo token)
    {
        _busy = true;
        try
        {
            var revoked = await Tokens.RevokeAsync(token.Id, await CurrentActor.GetAsync(), CancellationToken.None);
            Show(revoked ? $"Revoked {token.Name}: screens and programs using it are disconnected within seconds." : $"{token.Name} was already revoked.", error: !revoked);
            _tokens = await Tokens.ListAsync(CancellationToken.None);
        }
        finally
        {
            _busy = false;
        }
    }

    private void Show(string message, bool error)
    {
        _message = message;
        _messageIsError = error;
    }

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

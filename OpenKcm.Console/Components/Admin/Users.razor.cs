using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Components.Admin;

/// <summary>User administration: list, create, assign roles, lock and unlock (server-enforced: Administrator only).</summary>
public sealed partial class Users
{
    private IReadOnlyList<UserAdministration.UserRow> _users = [];
    private readonly Dictionary<string, List<string>> _editRoles = [];
    private NewUserInput _newUser = new();
    private string? _newRolesError;
    private string? _newEmailError;
    private string? _newPasswordError;
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    [Inject] public required UserAdministration Administration { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        _users = await Administration.ListAsync(CancellationToken.None);
        _editRoles.Clear();
    }

    private IEnumerable<string> RolesOf(UserAdministration.UserRow user) =>
        _editRoles.TryGetValue(user.Id, out var edited) ? edited : user.Roles;

    private void ToggleRole(UserAdministration.UserRow user, string role, bool on)
    {
        var roles = RolesOf(user).ToList();
        roles.Remove(role);
        if (on)
        {
            roles.Add(role);
        }

        _editRoles[user.Id] = roles;
    }

    private void ToggleNewRole(string role, bool on)
    {
        if (on)
        {
            _newUser.Roles.Add(role);
        }
        else
        {
            _newUser.Roles.Remove(role);
        }
    }

    private async Task CreateAsync()
    {
        _newRolesError = _newUser.Roles.Count == 0 ? "Choose at least one role." : null;
        if (_newRolesError is not null)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await Administration.CreateAsync(_newUser.Email.Trim(), _newUser.Password, [.. _newUser.Roles], await CurrentActor.GetAsync(), CancellationToken.None);

            // Identity's errors go next to the field they are about; anything else to the page message.
            _newEmailError = Join(result.Errors.Where(e => e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal)));
            _newPasswordError = Join(result.Errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)));
            var other = result.Errors.Where(e => !e.Code.Contains("Email", StringComparison.Ordinal)
                && !e.Code.Contains("UserName", StringComparison.Ordinal) && !e.Code.StartsWith("Password", StringComparison.Ordinal));
            Report(result.Succeeded || other.Any() ? result : IdentityResult.Success, result.Succeeded ? $"Created {_newUser.Email}." : null);
            if (result.Succeeded)
            {
                _newUser = new NewUserInput();
                await ReloadAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task SaveRolesAsync(UserAdministration.UserRow user)
    {
        if (!_editRoles.TryGetValue(user.Id, out var roles))
        {
            return;
        }

        var result = await Administration.SetRolesAsync(user.Id, roles, await CurrentActor.GetAsync(), CancellationToken.None);
        Report(result, $"Roles of {user.Email} saved.");
        await ReloadAsync();
    }

    private async Task ToggleLockAsync(UserAdministration.UserRow user)
    {
        var result = await Administration.SetLockedAsync(user.Id, !user.IsLockedOut, await CurrentActor.GetAsync(), CancellationToken.None);
        Report(result, user.IsLockedOut ? $"{user.Email} unlocked." : $"{user.Email} locked.");
        await ReloadAsync();
    }

    private void Report(IdentityResult result, string? success)
    {
        _messageIsError = !result.Succeeded;
        _message = result.Succeeded ? success : Join(result.Errors);
    }

    private static string? Join(IEnumerable<IdentityError> errors)
    {
        var text = string.Join(" ", errors.Select(e => e.Description));
        return text.Length == 0 ? null : text;
    }
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity;

/// <summary>
/// User management for administrators: create users, assign roles, lock and unlock. Every change is audited.
/// Guards the one invariant that could lock everyone out: there is always an unlocked administrator.
/// Scoped (one per circuit).
/// </summary>
public sealed class UserAdministration(UserManager<ConsoleUser> users, AuditLog audit, TimeProvider time)
{
    /// <summary>A user as the Users page shows it.</summary>
    public sealed record UserRow(string Id, string Email, IReadOnlyList<string> Roles, bool IsLockedOut, DateTimeOffset? LockoutEnd, DateTimeOffset CreatedAt);

    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await users.Users.OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var rows = new List<UserRow>(all.Count);
        foreach (var user in all)
        {
            var roles = await users.GetRolesAsync(user);
            var locked = user.LockoutEnd is { } end && end > time.GetUtcNow();
            rows.Add(new UserRow(user.Id, user.Email ?? user.UserName ?? user.Id, [.. roles.Order()], locked, user.LockoutEnd, user.CreatedAt));
        }

        return rows;
    }

    public async Task<IdentityResult> CreateAsync(string email, string password, IReadOnlyCollection<string> roles, Actor actor, CancellationToken cancellationToken)
    {
        if (roles.Count == 0)
        {
            return Fail("NoRole", "Choose at least one role.");
        }

        if (roles.FirstOrDefault(r => !Identity.Roles.All.Contains(r)) is { } unknown)
        {
            return Fail("UnknownRole", $"Unknown role '{unknown}'.");
        }

        var user = new ConsoleUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return created;
        }

        var assigned = await users.AddToRolesAsync(user, roles);
        if (!assigned.Succeeded)
        {
            // Nothing half-saved: a user without the requested roles is removed again.
            await users.DeleteAsync(user);
            return assigned;
        }

        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.UserCreate,
            Outcome = AuditOutcome.Success,
            Actor = actor,
            Detail = $"Created {email} with roles {string.Join(", ", roles.Order())}.",
        }, cancellationToken);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, Actor actor, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Fail("NotFound", "The user no longer exists.");
        }

        if (roles.Count == 0)
        {
            return Fail("NoRole", "A user needs at least one role; lock the account instead to remove access.");
        }

        var current = await users.GetRolesAsync(user);
        if (current.Contains(Identity.Roles.Administrator) && !roles.Contains(Identity.Roles.Administrator)
            && await CountActiveAdministratorsAsync(except: user.Id) == 0)
        {
            return Fail("LastAdministrator", "This is the last active administrator; make someone else an administrator first.");
        }

        var removed = await users.RemoveFromRolesAsync(user, current.Except(roles));
        var added = removed.Succeeded ? await users.AddToRolesAsync(user, roles.Except(current)) : removed;
        if (!added.Succeeded)
        {
            return added;
        }

        await users.UpdateSecurityStampAsync(user);
        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.UserRolesChanged,
            Outcome = AuditOutcome.Success,
            Actor = actor,
            Detail = $"{user.Email}: {string.Join(", ", current.Order())} → {string.Join(", ", roles.Order())}.",
        }, cancellationToken);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> SetLockedAsync(string userId, bool locked, Actor actor, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Fail("NotFound", "The user no longer exists.");
        }

        if (locked && user.Id == actor.Id)
        {
            return Fail("SelfLock", "You cannot lock your own account.");
        }

        if (locked && await users.IsInRoleAsync(user, Identity.Roles.Administrator) && await CountActiveAdministratorsAsync(except: user.Id) == 0)
        {
            return Fail("LastAdministrator", "This is the last active administrator and cannot be locked.");
        }

        var result = await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (result.Succeeded && !locked)
        {
            await users.ResetAccessFailedCountAsync(user);
        }

        if (result.Succeeded)
        {
            // A new security stamp signs the locked user out of open sessions at the next validation.
            await users.UpdateSecurityStampAsync(user);
            await audit.AppendAsync(new AuditRecord
            {
                Action = locked ? AuditActions.UserLock : AuditActions.UserUnlock,
                Outcome = AuditOutcome.Success,
                Actor = actor,
                Detail = $"{user.Email} {(locked ? "locked" : "unlocked")}.",
            }, cancellationToken);
        }

        return result;
    }

    private async Task<int> CountActiveAdministratorsAsync(string except)
    {
        var admins = await users.GetUsersInRoleAsync(Identity.Roles.Administrator);
        var now = time.GetUtcNow();
        return admins.Count(a => a.Id != except && (a.LockoutEnd is null || a.LockoutEnd <= now));
    }

    private static IdentityResult Fail(string code, string description) =>
        IdentityResult.Failed(new IdentityError { Code = code, Description = description });
}

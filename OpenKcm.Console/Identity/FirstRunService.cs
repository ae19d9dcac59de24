using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Infrastructure;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity;

/// <summary>
/// Creates the first administrator, exactly once: from the setup page while no user exists, or from
/// <see cref="BootstrapOptions"/> at start-up. Serialised so two concurrent setup posts cannot both succeed.
/// Singleton; resolves scoped Identity services per call.
/// </summary>
public sealed class FirstRunService(
    IServiceScopeFactory scopes, AuditLog audit, TimeProvider time, IConfiguration configuration, IHostEnvironment environment) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The setup code asked of non-local setup requests (see <see cref="SetupCodeFile"/>).</summary>
    public SetupCodeFile SetupCode { get; } =
        new(Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), SetupCodeFile.FileName));

    public async Task<bool> IsSetupRequiredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
        return !await users.Users.AnyAsync(cancellationToken);
    }

    /// <summary>Creates the first administrator. Fails (without creating anything) once any user exists.</summary>
    public async Task<IdentityResult> CreateFirstAdministratorAsync(string email, string password, string via, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
            if (await users.Users.AnyAsync(cancellationToken))
            {
                await audit.AppendAsync(new AuditRecord
                {
                    Action = AuditActions.FirstAdministrator,
                    Outcome = AuditOutcome.Denied,
                    Actor = Actor.Component(via),
                    Detail = "First-run setup refused: an administrator already exists.",
                }, cancellationToken);
                return IdentityResult.Failed(new IdentityError
                {
                    Code = "SetupAlreadyDone",
                    Description = "First-run setup is complete: an administrator already exists. Sign in instead.",
                });
            }

            await EnsureRolesAsync(scope.ServiceProvider);
            var user = new ConsoleUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return created;
            }

            var roles = await users.AddToRoleAsync(user, Roles.Administrator);
            if (!roles.Succeeded)
            {
                await users.DeleteAsync(user);
                return roles;
            }

            SetupCode.Delete();
            await audit.AppendAsync(new AuditRecord
            {
                Action = AuditActions.UserCreate,
                Outcome = AuditOutcome.Success,
                Actor = Actor.Component(via),
                Detail = $"First administrator {email} created with role {Roles.Administrator}.",
            }, cancellationToken);
            return IdentityResult.Success;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    public static async Task EnsureRolesAsync(IServiceProvider services)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }
}

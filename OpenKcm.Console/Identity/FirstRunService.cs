using System.Security.Cryptography;
using System.Text;
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
    public const string SetupCodeFileName = "setup-code";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// The file holding the one-time code that first-run setup asks for when the request does not come from the
    /// console host itself (so whoever first reaches a fresh console over the network cannot claim it).
    /// </summary>
    public string SetupCodePath => Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), SetupCodeFileName);

    /// <summary>Creates the setup code file (mode 0600) if it does not exist yet. The code itself is never logged.</summary>
    public void EnsureSetupCode()
    {
        if (File.Exists(SetupCodePath))
        {
            return;
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created readable by the console's user only, never world-readable even briefly.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(SetupCodePath, options);
        file.Write(Encoding.ASCII.GetBytes(code));
    }

    /// <summary>True when <paramref name="entered"/> equals the setup code (constant-time comparison).</summary>
    public bool IsSetupCodeValid(string? entered)
    {
        if (string.IsNullOrWhiteSpace(entered) || !File.Exists(SetupCodePath))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(File.ReadAllText(SetupCodePath).Trim());
        var actual = Encoding.ASCII.GetBytes(entered.Trim().ToUpperInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

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

            File.Delete(SetupCodePath);
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

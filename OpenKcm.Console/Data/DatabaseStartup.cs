using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Data;

/// <summary>
/// Runs before the console serves requests, after Core's <c>DatabaseInitializer</c> (which migrates Core's tables and
/// creates the default tenant): migrates the Identity tables in the same SQLite file, creates the roles, and creates the first administrator from <see cref="BootstrapOptions"/> when configured and no
/// user exists yet.
/// </summary>
internal sealed class DatabaseStartup(
    IServiceScopeFactory scopes,
    IOptions<BootstrapOptions> bootstrap,
    FirstRunService firstRun,
    ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<ConsoleIdentityDbContext>().Database.MigrateAsync(cancellationToken);
        await FirstRunService.EnsureRolesAsync(services);

        var options = bootstrap.Value;
        if (string.IsNullOrWhiteSpace(options.AdminEmail) || string.IsNullOrEmpty(options.AdminPassword))
        {
            if (await firstRun.IsSetupRequiredAsync(cancellationToken))
            {
                firstRun.SetupCode.Ensure();
                logger.LogWarning(
                    "No user exists yet: open /account/setup to create the first administrator. From another machine the page asks for the one-time code in {SetupCodePath}.",
                    firstRun.SetupCode.Path);
            }

            return;
        }

        if (!await firstRun.IsSetupRequiredAsync(cancellationToken))
        {
            logger.LogInformation("Bootstrap administrator not created: users already exist.");
            return;
        }

        var result = await firstRun.CreateFirstAdministratorAsync(options.AdminEmail, options.AdminPassword, "bootstrap", cancellationToken);
        if (!result.Succeeded)
        {
            // The password itself is never logged; the policy errors say what to change.
            throw new InvalidOperationException("Bootstrap:AdminEmail/AdminPassword could not create the first administrator: " +
                string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        logger.LogInformation("Created the first administrator {Email} from Bootstrap configuration.", options.AdminEmail);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

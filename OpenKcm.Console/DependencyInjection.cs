using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Components;
using OpenKcm.Console.Data;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Console.Infrastructure;
using OpenKcm.Console.Sandbox;
using OpenKcm.Core;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Health;
using OpenKcm.Providers;
using Radzen;

namespace OpenKcm.Console;

/// <summary>The console's composition root: services, middleware pipeline and endpoints.</summary>
public static class DependencyInjection
{
    public static WebApplicationBuilder AddOperatorConfigurationFile(this WebApplicationBuilder builder)
    {
        OperatorConfiguration.Add(builder);
        return builder;
    }

    public static WebApplicationBuilder AddConsoleServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var dataDirectory = ConsoleOptions.ResolveDataDirectory(configuration, builder.Environment);
        var connectionString = configuration.GetConnectionString("OpenKcm") ?? $"Data Source={Path.Combine(dataDirectory, "openkcm.db")}";

        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.Configure<BootstrapOptions>(configuration.GetSection(BootstrapOptions.Section));

        services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = dataDirectory;
            o.ConnectionString = connectionString;
        });
        // Hosted services start in registration order: Core's initializer (migrations, default tenant) first, then
        // the Identity schema and bootstrap administrator, then the sandbox, then the health monitor.
        services.AddHostedService<DatabaseStartup>();
        // Before AddKeystoreProviders, which keeps an instance registered earlier: the allowlist of PKCS#11 libraries.
        services.AddSingleton(configuration.GetSection(OpenKcm.Providers.ThalesLuna.ThalesLunaOptions.Section).Get<OpenKcm.Providers.ThalesLuna.ThalesLunaOptions>()
            ?? new OpenKcm.Providers.ThalesLuna.ThalesLunaOptions());
        services.AddKeystoreProviders(o => configuration.GetSection("OpenKcm:OpenBao").Bind(o));
        services.Configure<OpenKcm.Providers.AwsKms.AwsKmsOptions>(configuration.GetSection(OpenKcm.Providers.AwsKms.AwsKmsOptions.Section));

        AddIdentity(services, connectionString, builder.Environment);

        // Cookie and antiforgery keys live with the rest of the console's state, so sign-ins survive a restart.
        // Core creates the data directory with mode 0700 on start-up; the key ring inherits that protection.
        services.AddDataProtection()
            .SetApplicationName("OpenKcm.Console")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "data-protection-keys")));

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRateLimiter(SignInRateLimit.Configure);
        services.AddRadzenComponents();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<SessionValidator>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();

        if (SandboxHostedService.IsEnabled(configuration, builder.Environment))
        {
            var replacedSoftHsmConf = SandboxHostedService.PrepareProcessEnvironment(configuration, builder.Environment);
            services.AddSingleton(sp => new SandboxHostedService(
                sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILoggerFactory>())
            {
                ReplacedSoftHsmConf = replacedSoftHsmConf,
            });
            services.AddHostedService(sp => sp.GetRequiredService<SandboxHostedService>());
            services.PostConfigure<OpenKcm.Providers.OpenBao.OpenBaoOptions>(o => o.SecretIdDirectories.Add(Path.Combine(dataDirectory, "sandbox")));
        }

        services.AddKeystoreHealth(o => configuration.GetSection("OpenKcm:Health").Bind(o));
        services.AddKeystoreTelemetry(configuration); // OTLP export only when an endpoint is configured

        // Alerts and webhooks; plain-http webhook URLs only in Development (a local receiver), https otherwise.
        var development = builder.Environment.IsDevelopment();
        services.AddAlerts(o =>
        {
            configuration.GetSection("OpenKcm:Alerts").Bind(o);
            o.AllowInsecureWebhookUrls = development;
        });
        services.AddOptions<OpenKcm.Console.Hubs.HealthHubOptions>()
            .Bind(configuration.GetSection(OpenKcm.Console.Hubs.HealthHubOptions.Section))
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero, "OpenKcm:HealthHub:HeartbeatInterval must be positive.")
            .Validate(o => o.StreamBufferCapacity is >= 2 and <= 10_000, "OpenKcm:HealthHub:StreamBufferCapacity must be between 2 and 10000.")
            .ValidateOnStart();
        services.AddSingleton<OpenKcm.Console.Hubs.HealthHubStreams>();
        services.AddSignalR();
        ProbeEndpoints.AddProbes(services);
        services.AddSingleton<OpenKcm.Core.Operations.IOperationAuditSink, AuditOperationSink>();
        services.AddSingleton<OpenKcm.Core.Operations.L1KeyVerifier>();
        services.AddSingleton<OpenKcm.Core.Operations.BackupVerifier>();

        return builder;
    }

    private static void AddIdentity(IServiceCollection services, string connectionString, IHostEnvironment environment)
    {
        services.AddDbContext<ConsoleIdentityDbContext>(o => o.UseSqlite(connectionString,
            sqlite => sqlite.MigrationsHistoryTable(ConsoleIdentityDbContext.HistoryTable)));

        services.AddIdentity<ConsoleUser, IdentityRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<ConsoleIdentityDbContext>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "openkcm.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
        });

        // After AddIdentity, whose default schemes this replaces with a selector (Identity cookie / display cookie /
        // display bearer token).
        DisplayAuthentication.Add(services, environment);

        // Role or lock changes must reach open circuits and other sessions quickly, not after 30 minutes.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorization(Policies.Configure);
        services.AddSingleton<FirstRunService>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<OpenKcm.Console.Keystores.KeystoreSetupService>();
    }

    public static WebApplication UseConsolePipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseRateLimiter();
        app.Use(DisplayTokenAttemptLimit.RejectBlockedAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapConsoleEndpoints(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapDisplayTokenEndpoints();
        ProbeEndpoints.MapProbes(app);
        app.MapHub<OpenKcm.Console.Hubs.HealthHub>(DisplayAuthentication.HubPath);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

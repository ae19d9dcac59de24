using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Components.Keystores;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Infrastructure;
using OpenKcm.Console.Keystores;
using OpenKcm.Core;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Tenants;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// Base class for tests of the keystore wizard: the REAL Core services (keystores, tenants, credential vault, audit
/// log) over a migrated SQLite file in a temporary directory of the test's own, <see cref="KeystoreSetupService"/>
/// scoped as in the console, and a signed-in key administrator. Derived classes register the plugins
/// (<c>Services.AddSingleton&lt;IKeystorePlugin&gt;(...)</c>) in their constructor, before anything is resolved.
/// </summary>
/// <remarks>
/// xunit calls <see cref="IAsyncLifetime.InitializeAsync"/> after the constructor (migrations, default tenant) and
/// <see cref="IAsyncLifetime.DisposeAsync"/> at the end: it fails the test if an exception escaped a component
/// (<see cref="AssertNothingEscaped"/>), disposes the context asynchronously (draining the audit log) and deletes the
/// directory. Connections are not pooled, so no file handle outlives a test.
/// </remarks>
public abstract class KeystoreWizardTestContext : ConsoleTestContext, IAsyncLifetime
{
    public const string UserId = "user-kim";
    public const string UserName = "kim@example.test";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-console-tests", Guid.NewGuid().ToString("N"));

    protected KeystoreWizardTestContext()
    {
        Services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = _directory;
            o.ConnectionString = $"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False";
        });
        Services.AddScoped<CurrentActor>();
        Services.AddScoped<KeystoreSetupService>();

        // Key operations as in the console (Verify L1 key usage after activation); the health monitor is not started.
        Services.AddKeystoreHealth(_ => { });
        Services.AddSingleton<IOperationAuditSink, AuditOperationSink>();
        Services.AddSingleton<L1KeyVerifier>();
        Services.AddSingleton<BackupVerifier>();
        SignInAs(UserName, Roles.KeyAdministrator);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId));
    }

    /// <summary>Who the wizard acts as, for calls the test makes to the services directly.</summary>
    protected static Actor Actor { get; } = new(UserId, UserName);

    protected KeystoreService Keystores => Services.GetRequiredService<KeystoreService>();

    protected Tenant DefaultTenant { get; private set; } = null!;

    /// <summary>Renders <c>/keystores/new</c> and waits until it has loaded the tenants.</summary>
    private protected KeystoreWizardPage RenderNewWizard()
    {
        var cut = Render<KeystoreWizard>();
        cut.WaitForState(() => cut.Instance.Model.TenantId is not null);
        return new KeystoreWizardPage(cut);
    }

    /// <summary>Renders <c>/keystores/{id}/setup</c>; the test waits for what it expects to see.</summary>
    private protected KeystoreWizardPage RenderSetup(Guid keystoreId) =>
        new(Render<KeystoreWizard>(p => p.Add(w => w.KeystoreId, keystoreId)));

    /// <summary>
    /// Fails when an exception escaped a component's lifecycle method or event handler: bunit's renderer catches it
    /// (awaiting the click does not throw), where the real one would end the user's circuit.
    /// </summary>
    protected void AssertNothingEscaped()
    {
        var escaped = Renderer.UnhandledException;
        Assert.False(escaped.IsCompleted, escaped.IsCompleted ? $"Escaped from a component: {escaped.Result}" : null);
    }

    public virtual async Task InitializeAsync()
    {
        await Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);
        var tenants = await Services.GetRequiredService<TenantService>().ListAsync(CancellationToken.None);
        DefaultTenant = tenants.Single(t => t.Name == Tenant.DefaultName);
    }

    /// <summary>Stops what a derived class started in <see cref="InitializeAsync"/>; runs before the context is disposed.</summary>
    protected virtual Task DisposeFixturesAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            // Every test, not only those that look: an escaped exception is a failure even when the markup looks right.
            AssertNothingEscaped();
        }
        finally
        {
            await DisposeFixturesAsync();

            // bunit's asynchronous disposal, before xunit's synchronous one: the service provider holds the AuditLog,
            // which is only IAsyncDisposable (it drains its queue), and a synchronous Dispose of the provider throws.
            await DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
        }
    }
}

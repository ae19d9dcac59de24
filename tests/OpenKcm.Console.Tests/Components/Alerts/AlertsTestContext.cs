using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Identity;
using OpenKcm.Core;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;

namespace OpenKcm.Console.Tests.Components.Alerts;

/// <summary>
/// The REAL alert centre and webhook service over a migrated SQLite file of the test's own (Core's services as the
/// console registers them; the webhook dispatcher is not started, so deliveries stay Pending and visible). Sign in
/// with <see cref="SignIn"/> before rendering.
/// </summary>
public abstract class AlertsTestContext : ConsoleTestContext, IAsyncLifetime
{
    public const string UserId = "user-olga";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-console-tests", Guid.NewGuid().ToString("N"));

    protected AlertsTestContext()
    {
        Services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = _directory;
            o.ConnectionString = $"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False";
        });
        Services.AddAlerts(o => o.CoalesceWindow = TimeSpan.Zero);
        Services.AddScoped<CurrentActor>();
    }

    protected static Actor Admin { get; } = new("user-ada", "ada@example.test");

    protected AlertCentre Alerts => Services.GetRequiredService<AlertCentre>();

    protected WebhookService Webhooks => Services.GetRequiredService<WebhookService>();

    protected void SignIn(string userName, string role)
    {
        SignInAs(userName, role);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId));
    }

    protected async Task<Alert> RaiseAsync(string title, AlertSeverity severity = AlertSeverity.Critical, AlertType type = AlertType.StatusCritical)
    {
        Alerts.Enqueue(new AlertRequest
        {
            Type = type,
            Severity = severity,
            At = DateTimeOffset.UtcNow,
            Title = title,
            Detail = "3 consecutive failures.",
            KeystoreId = Guid.NewGuid(),
            KeystoreName = "bao-eu",
            TenantId = Guid.NewGuid(),
            TenantName = "acme",
        });
        await Alerts.WhenWrittenAsync(CancellationToken.None);
        var page = await Alerts.ListAsync(new AlertQuery(), CancellationToken.None);
        return page.Items.First(i => i.Alert.Title == title).Alert;
    }

    /// <summary>Runs <paramref name="sql"/> on the test's database file directly (to break or repair it).</summary>
    protected async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public virtual async Task InitializeAsync() =>
        await Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);

    async Task IAsyncLifetime.DisposeAsync()
    {
        var escaped = Renderer.UnhandledException;
        try
        {
            Assert.False(escaped.IsCompleted, escaped.IsCompleted ? $"Escaped from a component: {escaped.Result}" : null);
        }
        finally
        {
            await DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

/// <summary>
/// The alert centre, webhook service and dispatcher wired by hand over a <see cref="CoreTestContext"/> (a real
/// migrated SQLite file). <see cref="RestartAsync"/> replaces the services by new instances over the same file, as a
/// console restart does. Delivery tests use the system clock with short delays; raising tests the context's fake clock.
/// </summary>
internal sealed class AlertsHarness : IAsyncDisposable
{
    private AlertsHarness(CoreTestContext core, AlertOptions options, TimeProvider time, IKeystoreFailoverState? failover)
    {
        Core = core;
        Options = options;
        Time = time;
        Failover = failover;
        Build();
    }

    public CoreTestContext Core { get; }

    public AlertOptions Options { get; }

    public TimeProvider Time { get; }

    public IKeystoreFailoverState? Failover { get; }

    public AlertCentre Centre { get; private set; } = null!;

    public WebhookDispatcher Dispatcher { get; private set; } = null!;

    public WebhookService Webhooks { get; private set; } = null!;

    /// <summary>Built with the others, never started by the harness: tests call <c>SweepAsync</c> or start it themselves.</summary>
    public AlertRetentionSweeper Retention { get; private set; } = null!;

    public static async Task<AlertsHarness> CreateAsync(
        AlertOptions? options = null, bool systemClock = false, IKeystoreFailoverState? failover = null, bool start = true)
    {
        var core = await CoreTestContext.CreateAsync();
        var harness = new AlertsHarness(core, options ?? new AlertOptions { AllowInsecureWebhookUrls = true },
            systemClock ? TimeProvider.System : core.Time, failover);
        if (start)
        {
            await harness.StartAsync();
        }

        return harness;
    }

    /// <summary>Options for delivery tests: fast retries, http allowed; a request timeout generous for a loaded machine.</summary>
    public static AlertOptions FastDelivery(int maxAttempts = 6) => new()
    {
        AllowInsecureWebhookUrls = true,
        WebhookRequestTimeout = TimeSpan.FromSeconds(5),
        WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(50),
        WebhookMaxRetryDelay = TimeSpan.FromMilliseconds(200),
        WebhookMaxAttempts = maxAttempts,
        WebhookPollInterval = TimeSpan.FromMilliseconds(100),
    };

    public async Task StartAsync()
    {
        await Centre.StartAsync(CancellationToken.None);
        await Dispatcher.StartAsync(CancellationToken.None);
    }

    /// <summary>Stops the services (requests in flight are abandoned, as in a crash or shutdown) and builds new ones.</summary>
    public async Task RestartAsync(bool start = true)
    {
        await StopAsync();
        Build();
        if (start)
        {
            await StartAsync();
        }
    }

    public async Task StopAsync()
    {
        await Retention.StopAsync(CancellationToken.None);
        Retention.Dispose();
        await Dispatcher.DisposeAsync();
        await Centre.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Core.DisposeAsync();
    }

    private void Build()
    {
        WebhookDispatcher? dispatcher = null;
        AlertCentre? centre = null;
        dispatcher = new WebhookDispatcher(Core.Db, Core.Vault, Core.Audit, Time, Options, NullLogger<WebhookDispatcher>.Instance,
            () => centre?.RaiseChanged());
        centre = new AlertCentre(Core.Db, Core.Audit, Time, Options, NullLogger<AlertCentre>.Instance, dispatcher.Wake, Failover);
        Dispatcher = dispatcher;
        Centre = centre;
        Webhooks = new WebhookService(Core.Db, Core.Vault, Core.Audit, Time, Options, dispatcher.Wake);
        Retention = new AlertRetentionSweeper(Core.Db, Core.Audit, Time, Options, NullLogger<AlertRetentionSweeper>.Instance,
            centre.RaiseChanged);
    }
}

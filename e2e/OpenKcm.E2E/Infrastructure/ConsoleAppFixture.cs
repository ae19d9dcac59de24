using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// The real console on a real loopback socket, with an empty data directory, plus one headless Chromium and one
/// browser context for the test class that uses it (xunit creates one fixture per class: <c>IClassFixture</c>).
/// </summary>
/// <remarks>
/// Lifetime: created before the class's first test and disposed after its last (browser first, then the app, then
/// the data directory). Tests run one class at a time (AssemblyInfo.cs), so two fixtures never compete for the CPU.
/// Derive from this class to change configuration (<see cref="ConfigureSettings"/>) or services
/// (<see cref="ConfigureServices"/>) for one test class.
/// </remarks>
public class ConsoleAppFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly ConsoleAppFactory _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private bool _disposed;

    public ConsoleAppFixture()
    {
        DataDirectory = Directory.CreateTempSubdirectory("openkcm-e2e-").FullName;
        _factory = new ConsoleAppFactory(this);
    }

    /// <summary>The fixture's own data directory (empty at start, deleted on dispose).</summary>
    public string DataDirectory { get; }

    /// <summary>The console's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Everything the console logged, newest last (written next to a failed test's screenshot).</summary>
    public CapturedLogs ServerLogs { get; } = new();

    /// <summary>The test class's browser context: cookies (a sign-in) survive from one test of the class to the next.</summary>
    public IBrowserContext Context => _context ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The console's services (the real ones), for arranging state a journey starts from.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Configuration the console starts with; keys as in appsettings.json (<c>OpenKcm:DataDirectory</c>).</summary>
    protected virtual void ConfigureSettings(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Replaces or adds services after the console registered its own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel did not report the address it bound.");
        BaseAddress = new Uri(addresses.Addresses.Single().TrimEnd('/') + "/");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        _context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        _context.SetDefaultTimeout((float)E2ETimeouts.Action.TotalMilliseconds);
        _context.SetDefaultNavigationTimeout((float)E2ETimeouts.Navigation.TotalMilliseconds);
        Assertions.SetDefaultExpectTimeout((float)E2ETimeouts.Expect.TotalMilliseconds);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a background writer: the directory is under /tmp and unique, leave it.
        }
    }

    /// <summary>The real console's <c>Program</c>, configured for e2e.</summary>
    private sealed class ConsoleAppFactory(ConsoleAppFixture fixture) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = new Dictionary<string, string?>
            {
                ["OpenKcm:DataDirectory"] = fixture.DataDirectory,
                ["OpenKcm:Sandbox:Enabled"] = "true",
                // Any free ports: the fixed defaults (8200, 8210, 8299, 8230, 1792) belong to a developer's own console.
                ["OpenKcm:Sandbox:OpenBaoPort"] = "0",
                ["OpenKcm:Sandbox:OpenBaoBackupPort"] = "0",
                ["OpenKcm:Sandbox:ControlPort"] = "0",
                ["OpenKcm:Sandbox:AwsKmsPort"] = "0",
                ["OpenKcm:Sandbox:LunaNtlsPort"] = "0",
                ["OpenKcm:Health:ProbeInterval"] = "00:00:01",
                // Luna's Test Connection times 20 real round trips against a 50 ms p95 budget; Chromium, Kestrel and
                // SoftHSM share 2 cores here, so two descheduled samples would turn the check Warning.
                ["OpenKcm:ThalesLuna:LatencyBudget"] = "00:00:01",
            };
            fixture.ConfigureSettings(settings);

            builder.UseEnvironment("Development");
            // UseSetting (host configuration) is visible to Program's top-level code before Build(), unlike
            // ConfigureAppConfiguration, which the minimal host applies only at Build().
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(fixture.ServerLogs));
            builder.ConfigureServices(fixture.ConfigureServices);
        }
    }
}

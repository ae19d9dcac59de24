using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// Base class for e2e test classes: the class gets one <typeparamref name="TFixture"/> (app + Chromium + context)
/// and each test a fresh <see cref="Page"/> in that context.
/// </summary>
/// <remarks>
/// Write each test's steps inside <see cref="RunAsync"/>: if they throw, it saves a screenshot, the page's HTML, the
/// browser console and the server log under <c>.test-results/e2e/</c> before the failure is reported.
/// </remarks>
public abstract class BrowserTest<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : ConsoleAppFixture
{
    // Written from Playwright's event thread while the test runs.
    private readonly ConcurrentQueue<string> _browserConsole = new();
    private readonly ConcurrentQueue<string> _browserErrors = new();

    protected BrowserTest(TFixture app)
    {
        App = app;
    }

    protected TFixture App { get; }

    /// <summary>This test's page (tab); closed after the test, while the class's context and its cookies live on.</summary>
    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Page = await App.Context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            _browserConsole.Enqueue($"{message.Type}: {message.Text} ({message.Location})");
            // Chromium asks every site for /favicon.ico by itself; the console serves none, and that is no error of a page.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                _browserErrors.Enqueue($"console error: {message.Text} ({message.Location})");
            }
        };
        Page.PageError += (_, error) =>
        {
            _browserConsole.Enqueue($"pageerror: {error}");
            _browserErrors.Enqueue($"uncaught: {error}");
        };
        Page.RequestFailed += (_, request) => _browserErrors.Enqueue($"request failed: {request.Method} {request.Url} {request.Failure}");
        Page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _browserErrors.Enqueue($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    /// <summary>
    /// Fails if, so far in this test, the browser logged an error (a CSP violation, a script exception), a request
    /// failed or a response was 4xx/5xx.
    /// </summary>
    protected void AssertNoBrowserErrors() => Assert.True(_browserErrors.IsEmpty,
        "The browser reported problems:" + Environment.NewLine + string.Join(Environment.NewLine, _browserErrors));

    public async Task DisposeAsync() => await Page.CloseAsync();

    /// <summary>Runs a test's steps; on failure keeps what is needed to understand it, then rethrows.</summary>
    protected async Task RunAsync(Func<Task> steps, [CallerMemberName] string testName = "")
    {
        try
        {
            await steps();
        }
        catch (Exception failure)
        {
            await FailureArtifacts.SaveAsync($"{GetType().Name}.{testName}", Page, failure, [.. _browserConsole], App.ServerLogs);
            throw;
        }
    }
}

/// <inheritdoc />
public abstract class BrowserTest(ConsoleAppFixture app) : BrowserTest<ConsoleAppFixture>(app);

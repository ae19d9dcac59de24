using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Checks;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.Checks;

/// <summary>
/// The shared Test Connection runner on a manual clock, with check functions the test controls (each plugin's checks
/// run through it against real servers in the plugin tests).
/// </summary>
public sealed class CheckSequenceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _time = new();
    private readonly ListLogger<CheckSequenceTests> _logger = new();
    private readonly List<string> _ran = [];
    private int _releases;

    [Fact]
    public async Task RunAsync_CheckThrowsKeystoreException_FailsWithRemedyAndKindAndSkipsTheRest()
    {
        var results = await RunAllAsync(Sequence((id, _) => id switch
        {
            "a" => Task.FromResult(CheckStep.Pass("fine")),
            "b" => throw new KeystoreException(KeystoreErrorKind.PermissionDenied, "refused"),
            _ => Task.FromResult(CheckStep.Pass("should not run")),
        }));

        Assert.Equal(["a", "b"], _ran);
        Assert.Equal([CheckOutcome.Passed, CheckOutcome.Failed, CheckOutcome.Skipped], results.Select(r => r.Outcome));
        Assert.Equal("refused", results[1].Detail);
        Assert.Equal("remedy for b: PermissionDenied", results[1].Remedy);
        Assert.Equal(KeystoreErrorKind.PermissionDenied, results[1].ErrorKind);
        Assert.Equal("Not run because an earlier check failed.", results[2].Detail);
        Assert.Equal(1, _releases);
    }

    [Fact]
    public async Task RunAsync_WarningAndFailedStep_KeepsOutcomesAndStopsAfterTheFailure()
    {
        var results = await RunAllAsync(Sequence((id, _) => Task.FromResult(id switch
        {
            "a" => CheckStep.Warn("slow", "speed it up"),
            "b" => CheckStep.Fail(KeystoreErrorKind.KeyDisabled, "disabled", "enable it"),
            _ => CheckStep.Pass("should not run"),
        })));

        Assert.Equal([CheckOutcome.Warning, CheckOutcome.Failed, CheckOutcome.Skipped], results.Select(r => r.Outcome));
        Assert.Equal(("slow", "speed it up", (KeystoreErrorKind?)null), (results[0].Detail, results[0].Remedy, results[0].ErrorKind));
        Assert.Equal(KeystoreErrorKind.KeyDisabled, results[1].ErrorKind);
        Assert.Equal(["a", "b"], _ran);
    }

    [Fact]
    public async Task RunAsync_UnexpectedException_LogsItAndShowsOnlyItsType()
    {
        var results = await RunAllAsync(Sequence((id, _) => id == "a"
            ? throw new InvalidOperationException("do-not-show-this")
            : Task.FromResult(CheckStep.Pass("should not run"))));

        Assert.Equal(CheckOutcome.Failed, results[0].Outcome);
        Assert.Equal("The check stopped with an unexpected error (InvalidOperationException); the console log has the details.",
            results[0].Detail);
        Assert.DoesNotContain("do-not-show-this", results[0].Detail + results[0].Remedy, StringComparison.Ordinal);
        Assert.Null(results[0].ErrorKind);
        Assert.Contains(_logger.Lines, l => l.StartsWith("Error: Test Connection check a stopped", StringComparison.Ordinal)
            && l.Contains("do-not-show-this", StringComparison.Ordinal));
        Assert.All(results.Skip(1), r => Assert.Equal(CheckOutcome.Skipped, r.Outcome));
    }

    [Fact]
    public async Task RunAsync_CheckIgnoresCancellationPastTheTimeout_TimesOutAndReleasesOnlyAfterTheCheckReturns()
    {
        using var blocked = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sequence = Sequence((id, _) => Task.Run(() =>
        {
            // A blocking call that cannot be cancelled, as a PKCS#11 call into a hung HSM.
            started.SetResult();
            blocked.Wait(s_wait);
            return CheckStep.Pass("returned late");
        }), release: () =>
        {
            Interlocked.Increment(ref _releases);
            released.SetResult();
        });

        await using var run = sequence.RunAsync(CancellationToken.None).GetAsyncEnumerator();
        var first = run.MoveNextAsync().AsTask();
        await started.Task.WaitAsync(s_wait);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(await first.WaitAsync(s_wait));
        Assert.Equal(CheckOutcome.Failed, run.Current.Outcome);
        Assert.Equal(KeystoreErrorKind.TimedOut, run.Current.ErrorKind);
        Assert.Equal(("did not finish in 10 s", "make it faster"), (run.Current.Detail, run.Current.Remedy));
        Assert.True(await run.MoveNextAsync());
        Assert.Equal(CheckOutcome.Skipped, run.Current.Outcome);
        Assert.True(await run.MoveNextAsync());
        Assert.False(await run.MoveNextAsync());
        Assert.Equal(0, Volatile.Read(ref _releases));

        blocked.Set();
        await released.Task.WaitAsync(s_wait);
        Assert.Equal(1, Volatile.Read(ref _releases));
    }

    [Fact]
    public async Task RunAsync_CallerCancelsDuringACheck_ThrowsAndReleases()
    {
        using var caller = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sequence = Sequence(async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
            return CheckStep.Pass("never");
        });

        var run = RunAllAsync(sequence, caller.Token);
        await started.Task.WaitAsync(s_wait);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_wait));
        Assert.Equal(1, _releases);
        Assert.DoesNotContain(_logger.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    private CheckSequence Sequence(Func<string, CancellationToken, Task<CheckStep>> check, Action? release = null) => new()
    {
        Checks = [new("a", "A", "First"), new("b", "B", "Second"), new("c", "C", "Third")],
        RunCheckAsync = (id, token) =>
        {
            _ran.Add(id);
            return check(id, token);
        },
        Remedy = (id, ex) => $"remedy for {id}: {ex.Kind}",
        Timeout = TimeSpan.FromSeconds(10),
        TimeoutDetail = "did not finish in 10 s",
        TimeoutRemedy = "make it faster",
        Release = release ?? (() => Interlocked.Increment(ref _releases)),
        Time = _time,
        Logger = _logger,
    };

    private static async Task<List<CheckResult>> RunAllAsync(CheckSequence sequence, CancellationToken cancellationToken = default)
    {
        var results = new List<CheckResult>();
        await foreach (var result in sequence.RunAsync(cancellationToken))
        {
            results.Add(result);
        }

        return results;
    }
}

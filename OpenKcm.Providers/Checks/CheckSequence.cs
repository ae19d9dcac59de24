using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.Checks;

/// <summary>
/// The skeleton of one Test Connection run, shared by every plugin: the <see cref="Checks"/> in descriptor order under one
/// overall <see cref="Timeout"/>, each yielded as soon as it finishes; after a failed check the rest are skipped. A
/// <see cref="KeystoreException"/> becomes a failed check with the plugin's <see cref="Remedy"/> and the error kind; the
/// overall timeout becomes a <see cref="KeystoreErrorKind.TimedOut"/> failure with <see cref="TimeoutDetail"/>; any
/// other exception is logged and shown as that check's unexpected failure. Cancellation by the caller ends the run with
/// <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>
/// The run stops waiting for a check as soon as its token is cancelled, even when the check cannot observe it (a blocking
/// native call): such a check is abandoned, and <see cref="Release"/> runs only after it has returned, never under it.
/// Checks that observe their token return at once, so for them <see cref="Release"/> runs when the run ends. One run per
/// instance; not thread-safe.
/// </remarks>
internal sealed class CheckSequence
{
    /// <summary>The checks to run, in order (the plugin descriptor's list).</summary>
    public required IReadOnlyList<CheckDefinition> Checks { get; init; }

    /// <summary>
    /// Runs the check with the given id. The token is cancelled by the caller or by the overall timeout. May throw;
    /// see the class summary for how exceptions become results.
    /// </summary>
    public required Func<string, CancellationToken, Task<CheckStep>> RunCheckAsync { get; init; }

    /// <summary>What to do about a <see cref="KeystoreException"/> thrown by the check with the given id; <c>null</c> for none.</summary>
    public required Func<string, KeystoreException, string?> Remedy { get; init; }

    /// <summary>How long the whole run may take, measured on <see cref="Time"/>.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The failed check's detail when <see cref="Timeout"/> passes (vendor wording, with the timeout in it).</summary>
    public required string TimeoutDetail { get; init; }

    /// <summary>The failed check's remedy when <see cref="Timeout"/> passes.</summary>
    public required string TimeoutRemedy { get; init; }

    /// <summary>
    /// Releases what the checks opened (clients, sessions, modules). Called exactly once when the run ends, however it
    /// ends; after an abandoned check, on a thread-pool thread once that check has returned. Must not throw.
    /// </summary>
    public required Action Release { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    public async IAsyncEnumerable<CheckResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var overall = new CancellationTokenSource(Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token);
        Task? lastCheck = null;
        try
        {
            var failed = false;
            foreach (var check in Checks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (failed)
                {
                    yield return new CheckResult(check.Id, CheckOutcome.Skipped, TimeSpan.Zero, "Not run because an earlier check failed.");
                    continue;
                }

                var (result, running) = await RunOneAsync(check.Id, overall, linked.Token, cancellationToken).ConfigureAwait(false);
                lastCheck = running;
                failed = result.Outcome == CheckOutcome.Failed;
                yield return result;
            }
        }
        finally
        {
            if (lastCheck is { IsCompleted: false })
            {
                // The check still runs (a call that cannot be cancelled): release what it uses after it returns, not under it.
                _ = lastCheck.ContinueWith(_ => Release(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            else
            {
                Release();
            }
        }
    }

    private async Task<(CheckResult Result, Task? Running)> RunOneAsync(
        string id, CancellationTokenSource overall, CancellationToken token, CancellationToken callerToken)
    {
        var started = Time.GetTimestamp();
        CheckStep step;
        Task<CheckStep>? work = null;
        try
        {
            work = RunCheckAsync(id, token);
            step = await work.WaitAsync(token).ConfigureAwait(false);
        }
        catch (KeystoreException ex)
        {
            step = new CheckStep(CheckOutcome.Failed, ex.Message, Remedy(id, ex), ex.Kind);
        }
        catch (OperationCanceledException) when (overall.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            step = CheckStep.Fail(KeystoreErrorKind.TimedOut, TimeoutDetail, TimeoutRemedy);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect or a failing credential vault, not a keystore answer: show it as this check's failure rather
            // than breaking the whole run; the details go to the log (exception messages here carry no secrets).
            Logger.LogError(ex, "Test Connection check {CheckId} stopped with an unexpected error.", id);
            step = new CheckStep(CheckOutcome.Failed,
                $"The check stopped with an unexpected error ({ex.GetType().Name}); the console log has the details.",
                "Test again; if it persists, report it with the console log.");
        }

        var result = new CheckResult(id, step.Outcome, Time.GetElapsedTime(started), step.Detail, step.Remedy) { ErrorKind = step.ErrorKind };
        return (result, work);
    }
}

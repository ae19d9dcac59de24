using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>Runs AWS KMS Test Connection to the end and looks results up by check id.</summary>
internal static class AwsKmsChecks
{
    /// <summary>A guard against a hanging run; far above what any check takes.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    public static async Task<IReadOnlyDictionary<string, CheckResult>> RunAsync(IKeystorePlugin plugin, KeystoreSettings settings, ISecretResolver secrets)
    {
        var results = await plugin.TestConnectionAsync(settings, secrets, CancellationToken.None).ToListAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(AwsKmsPlugin.Checks.Select(c => c.Id), results.Select(r => r.Id));
        return results.ToDictionary(r => r.Id);
    }

    /// <summary>Asserts that <paramref name="id"/> failed with <paramref name="kind"/>, earlier checks passed (or warned), later ones were skipped.</summary>
    public static CheckResult AssertFailedAt(IReadOnlyDictionary<string, CheckResult> results, string id, KeystoreErrorKind kind)
    {
        var order = AwsKmsPlugin.Checks.Select(c => c.Id).ToList();
        var index = order.IndexOf(id);
        var failed = results[id];
        Assert.True(failed.Outcome == CheckOutcome.Failed && failed.ErrorKind == kind,
            $"{id}: expected failed with {kind}, got {failed.Outcome} {failed.ErrorKind}: {failed.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(failed.Remedy), $"{id} has no remedy");
        Assert.All(order.Take(index), earlier => Assert.True(
            results[earlier].Outcome is CheckOutcome.Passed or CheckOutcome.Warning, $"{earlier}: {results[earlier].Outcome} {results[earlier].Detail}"));
        Assert.All(order.Skip(index + 1), later => Assert.Equal(CheckOutcome.Skipped, results[later].Outcome));
        return failed;
    }

    public static void AssertAllPassed(IReadOnlyDictionary<string, CheckResult> results) =>
        Assert.All(results.Values, r => Assert.True(r.Outcome == CheckOutcome.Passed, $"{r.Id}: {r.Outcome} {r.Detail} {r.Remedy}"));
}

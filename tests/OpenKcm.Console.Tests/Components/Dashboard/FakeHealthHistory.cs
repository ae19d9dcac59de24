using System.Collections.Concurrent;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Dashboard;

/// <summary>
/// A stored history the test fills by hand (the monitor's SQLite-backed one is tested in Core): answers every query
/// with the samples of the asked keystore inside the asked range, records the queries, or fails when told to.
/// </summary>
internal sealed class FakeHealthHistory : IHealthHistory
{
    private readonly ConcurrentQueue<(Guid KeystoreId, DateTimeOffset From, DateTimeOffset To)> _queries = new();

    public List<HealthSample> Samples { get; } = [];

    /// <summary>When set, every query throws it.</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyCollection<(Guid KeystoreId, DateTimeOffset From, DateTimeOffset To)> Queries => _queries;

    public Task<IReadOnlyList<HealthSample>> QueryAsync(Guid keystoreId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        _queries.Enqueue((keystoreId, from, to));
        if (Failure is { } failure)
        {
            return Task.FromException<IReadOnlyList<HealthSample>>(failure);
        }

        IReadOnlyList<HealthSample> answer = [.. Samples.Where(s => s.KeystoreId == keystoreId && s.Start + s.Duration > from && s.Start < to)];
        return Task.FromResult(answer);
    }
}

using OpenKcm.Core.Keystores;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>An in-memory catalog: the test sets the active keystores and the catalog raises the change events.</summary>
public sealed class FakeKeystoreCatalog : IKeystoreCatalog
{
    private ActiveKeystore[] _active = [];
    private int _reads;

    public event Action<Guid>? KeystoreChanged;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Set to make reads fail.</summary>
    public Exception? FailWith { get; set; }

    public Task<IReadOnlyList<ActiveKeystore>> GetActiveAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _reads);
        return FailWith is { } error
            ? Task.FromException<IReadOnlyList<ActiveKeystore>>(error)
            : Task.FromResult<IReadOnlyList<ActiveKeystore>>(Volatile.Read(ref _active));
    }

    /// <summary>Replaces the active set and raises <see cref="KeystoreChanged"/> for each keystore that changed.</summary>
    public void SetActive(params ActiveKeystore[] keystores)
    {
        var before = Interlocked.Exchange(ref _active, [.. keystores]);
        var changed = before.Select(k => (k.Id, k.Version)).ToHashSet();
        changed.SymmetricExceptWith(keystores.Select(k => (k.Id, k.Version)));
        foreach (var id in changed.Select(c => c.Id).Distinct())
        {
            KeystoreChanged?.Invoke(id);
        }
    }

    /// <summary>Raises <see cref="KeystoreChanged"/> for a change the active set does not show (thresholds, backup).</summary>
    public void RaiseChanged(Guid keystoreId) => KeystoreChanged?.Invoke(keystoreId);
}

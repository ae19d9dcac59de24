namespace OpenKcm.Core.Keystores;

/// <summary>
/// Read side used by the health monitor and the connection manager: which keystores are active, with which
/// configuration version. Implemented over the database; thread-safe; every call reads current state.
/// </summary>
public interface IKeystoreCatalog
{
    Task<IReadOnlyList<ActiveKeystore>> GetActiveAsync(CancellationToken cancellationToken);

    /// <summary>Raised (on the writer's thread) after a keystore is activated, suspended, retired or re-versioned.</summary>
    event Action<Guid>? KeystoreChanged;
}

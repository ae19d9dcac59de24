using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// The use of a pooled connection by one caller, from <see cref="KeystoreConnectionManager.AcquireAsync(ActiveKeystore, CancellationToken)"/>.
/// While any lease is held the manager does not dispose the connection, even if the keystore was re-versioned or
/// deactivated meanwhile; it does so when the last lease is released. Dispose the lease (not the connection) when
/// done, promptly: do not keep it across operations. Disposing twice is harmless. Not thread-safe to dispose
/// concurrently with use of <see cref="Connection"/>.
/// </summary>
public sealed class KeystoreConnectionLease : IDisposable
{
    private readonly Action _release;
    private int _released;

    internal KeystoreConnectionLease(ActiveKeystore keystore, IKeystoreConnection connection, Action release)
    {
        Keystore = keystore;
        Connection = connection;
        _release = release;
    }

    /// <summary>The keystore and configuration version this connection was opened for.</summary>
    public ActiveKeystore Keystore { get; }

    /// <summary>The shared connection. Owned by the manager: never dispose it.</summary>
    public IKeystoreConnection Connection { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release();
        }
    }
}

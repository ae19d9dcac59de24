using System.Text.Json.Nodes;

namespace OpenKcm.Core.Plugins;

/// <summary>
/// A pooled, authenticated connection to one keystore configuration version. Safe for concurrent use.
/// Created by <see cref="IKeystorePlugin.ConnectAsync"/>; disposed by its owner (the connection manager) when the
/// configuration changes or the keystore is deactivated. Every method throws <see cref="KeystoreException"/> for
/// keystore-side failures.
/// </summary>
public interface IKeystoreConnection : IAsyncDisposable
{
    /// <summary>Encrypts (wraps) L2 key material under the L1 key. The result is opaque to the caller.</summary>
    Task<byte[]> WrapAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken);

    /// <summary>Decrypts (unwraps) what <see cref="WrapAsync"/> returned, with the same associated data.</summary>
    Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken);

    /// <summary>
    /// Deep health probe: a real key operation (not only a ping). Returns normally when healthy; throws
    /// <see cref="KeystoreException"/> otherwise. The caller measures latency and applies its own timeout.
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The activation result in the seed's shape for this keystore type (e.g. OpenBao: <c>plugin_status</c>,
    /// <c>vault_version</c>, <c>auth_status</c>, <c>policies_applied</c>, <c>transit_engine</c>).
    /// </summary>
    Task<JsonObject> DescribeAsync(CancellationToken cancellationToken);
}

using System.Text.Json.Nodes;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>A connection of <see cref="FakeKeystorePlugin"/>: delegates to the plugin's behaviour and counts calls.</summary>
public sealed class FakeKeystoreConnection(FakeKeystorePlugin plugin, KeystoreSettings settings) : IKeystoreConnection
{
    private int _probeCalls;
    private int _wrapCalls;
    private int _unwrapCalls;
    private int _disposeCalls;

    public KeystoreSettings Settings { get; } = settings;

    public int Version => Settings.GetInt(TestKeystores.VersionField) ?? 0;

    public int ProbeCalls => Volatile.Read(ref _probeCalls);

    public int WrapCalls => Volatile.Read(ref _wrapCalls);

    public int UnwrapCalls => Volatile.Read(ref _unwrapCalls);

    public int DisposeCalls => Volatile.Read(ref _disposeCalls);

    public bool IsDisposed => DisposeCalls > 0;

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Interlocked.Increment(ref _wrapCalls);
        return plugin.OnWrap(Settings, plaintext, cancellationToken);
    }

    public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Interlocked.Increment(ref _unwrapCalls);
        return plugin.OnUnwrap(Settings, wrapped, cancellationToken);
    }

    public Task ProbeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Interlocked.Increment(ref _probeCalls);
        return plugin.OnProbe(Settings, cancellationToken);
    }

    public Task<JsonObject> DescribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["plugin_status"] = "active" });

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _disposeCalls);
        return ValueTask.CompletedTask;
    }
}

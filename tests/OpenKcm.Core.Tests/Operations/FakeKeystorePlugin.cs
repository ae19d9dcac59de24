using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>
/// A keystore plugin whose behaviour the test sets through the <c>On*</c> delegates (changeable at any time; each
/// receives the settings, so a test can tell keystores apart by <see cref="TestKeystores.NameField"/>).
/// </summary>
public sealed class FakeKeystorePlugin : IKeystorePlugin
{
    private int _connectCalls;

    public FakeKeystorePlugin(string kind = TestKeystores.Kind, HealthThresholds? thresholds = null) =>
        Descriptor = new PluginDescriptor
        {
            Kind = kind,
            DisplayName = $"Fake {kind}",
            Description = "Test double.",
            Fields = [],
            Checks = [],
            DefaultThresholds = thresholds ?? new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(500) },
        };

    public PluginDescriptor Descriptor { get; }

    /// <summary>Runs before each connection is created; throw to fail the connect.</summary>
    public Func<KeystoreSettings, CancellationToken, Task> OnConnect { get; set; } = (_, _) => Task.CompletedTask;

    public Func<KeystoreSettings, CancellationToken, Task> OnProbe { get; set; } = (_, _) => Task.CompletedTask;

    public Func<KeystoreSettings, ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> OnWrap { get; set; } =
        (_, plaintext, _) => Task.FromResult(Reverse(plaintext));

    public Func<KeystoreSettings, ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> OnUnwrap { get; set; } =
        (_, wrapped, _) => Task.FromResult(Reverse(wrapped));

    public int ConnectCalls => Volatile.Read(ref _connectCalls);

    /// <summary>Every connection created, in order.</summary>
    public ConcurrentQueue<FakeKeystoreConnection> Connections { get; } = new();

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet) => [];

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) => new() { Summary = "None.", Blocks = [] };

    public async IAsyncEnumerable<CheckResult> TestConnectionAsync(
        KeystoreSettings settings, ISecretResolver secrets, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public async Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connectCalls);
        await OnConnect(settings, cancellationToken);
        var connection = new FakeKeystoreConnection(this, settings);
        Connections.Enqueue(connection);
        return connection;
    }

    public FakeKeystoreConnection[] ConnectionsFor(string keystoreName) =>
        [.. Connections.Where(c => c.Settings.Get(TestKeystores.NameField) == keystoreName)];

    private static byte[] Reverse(ReadOnlyMemory<byte> input)
    {
        var bytes = input.ToArray();
        Array.Reverse(bytes);
        return bytes;
    }
}

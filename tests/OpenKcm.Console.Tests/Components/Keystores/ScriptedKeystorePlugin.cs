using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// A hand-written keystore plugin whose Test Connection yields exactly the results the test writes into
/// <see cref="Results"/>, one per check and in check order, so a test can look at the page between two checks.
/// After a failed result the remaining checks are yielded as skipped, as the plugin contract demands.
/// </summary>
/// <remarks>
/// Fields: <c>region</c> (required text; the value <c>nowhere</c> fails the plugin's own validation), <c>endpoint</c>
/// (optional URL with a default), <c>tier</c> (optional choice with a default) and <c>api_key</c> (required secret). The permission guidance has two blocks that
/// quote the region. Thread-safe: the channel is the only state shared between the test and the test run.
/// </remarks>
internal sealed class ScriptedKeystorePlugin : IKeystorePlugin
{
    public const string DefaultKind = "scripted_kms";
    public const string DefaultEndpoint = "https://kms.example.test";
    public const string DefaultTier = "standard";

    public ScriptedKeystorePlugin(string kind = DefaultKind, string displayName = "Scripted KMS")
    {
        Descriptor = new PluginDescriptor
        {
            Kind = kind,
            DisplayName = displayName,
            Description = $"{displayName} test double",
            Fields =
            [
                new ConfigField { Name = "region", Label = "Region", Type = FieldType.Text, Required = true, Help = "Where the key lives." },
                new ConfigField { Name = "endpoint", Label = "Endpoint", Type = FieldType.Url, DefaultValue = DefaultEndpoint },
                new ConfigField { Name = "tier", Label = "Tier", Type = FieldType.Choice, Choices = ["standard", "premium"], DefaultValue = DefaultTier },
                new ConfigField { Name = "api_key", Label = "API key", Type = FieldType.Secret, Required = true },
            ],
            Checks =
            [
                new CheckDefinition("reach", "Reach", "The endpoint answers."),
                new CheckDefinition("authenticate", "Authenticate", "The API key is accepted."),
                new CheckDefinition("wrap", "Wrap", "A test key wraps and unwraps."),
            ],
            DefaultThresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(100) },
        };
    }

    public PluginDescriptor Descriptor { get; }

    /// <summary>What the next Test Connection yields, one result per check, written by the test.</summary>
    public Channel<CheckResult> Results { get; } = Channel.CreateUnbounded<CheckResult>();

    /// <summary>Completes with the API key the last Test Connection resolved from the vault.</summary>
    public TaskCompletionSource<string?> ResolvedApiKey { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a Test Connection sees its cancellation token cancelled.</summary>
    public TaskCompletionSource TestCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static CheckResult Passed(string id, int milliseconds = 12) =>
        new(id, CheckOutcome.Passed, TimeSpan.FromMilliseconds(milliseconds), $"{id} ok.");

    /// <summary>Queues a passing result for every check.</summary>
    public void PassAll()
    {
        foreach (var check in Descriptor.Checks)
        {
            Results.Writer.TryWrite(Passed(check.Id));
        }
    }

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet) =>
        settings.Get("region") == "nowhere" ? [new FieldError("region", "No such region.")] : [];

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) => new()
    {
        Summary = $"Let the console use the key in {settings.Get("region")}.",
        Blocks =
        [
            new GuidanceBlock("Key policy", "json", $"{{\"region\": \"{settings.Get("region")}\", \"allow\": [\"wrap\", \"unwrap\"]}}", "Lets the console wrap keys."),
            new GuidanceBlock("Commands", "bash", $"kms grant --region {settings.Get("region")} console", "Run once as the key owner."),
        ],
    };

    public async IAsyncEnumerable<CheckResult> TestConnectionAsync(
        KeystoreSettings settings, ISecretResolver secrets, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() => TestCancelled.TrySetResult());
        using (var apiKey = await secrets.GetAsync("api_key", cancellationToken))
        {
            ResolvedApiKey.TrySetResult(apiKey?.Reveal());
        }

        var failed = false;
        foreach (var check in Descriptor.Checks)
        {
            if (failed)
            {
                yield return new CheckResult(check.Id, CheckOutcome.Skipped, TimeSpan.Zero, "Skipped: an earlier check failed.");
                continue;
            }

            var result = await Results.Reader.ReadAsync(cancellationToken);
            failed = result.Outcome == CheckOutcome.Failed;
            yield return result;
        }
    }

    /// <summary>When set, connections fail to describe themselves (the activation result) with this error.</summary>
    public KeystoreException? DescribeFailure { get; set; }

    public Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        Task.FromResult<IKeystoreConnection>(new Connection(Descriptor.Kind, settings.Get("region"), DescribeFailure));

    private sealed class Connection(string kind, string? region, KeystoreException? describeFailure) : IKeystoreConnection
    {
        public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken) =>
            Task.FromResult(plaintext.ToArray());

        public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken) =>
            Task.FromResult(wrapped.ToArray());

        public Task ProbeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<JsonObject> DescribeAsync(CancellationToken cancellationToken) => describeFailure is null
            ? Task.FromResult(new JsonObject { ["plugin_status"] = "active", ["plugin_type"] = kind, ["region"] = region })
            : Task.FromException<JsonObject>(describeFailure);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

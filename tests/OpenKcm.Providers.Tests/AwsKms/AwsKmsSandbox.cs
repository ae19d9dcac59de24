using System.Collections.Concurrent;
using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>
/// The AWS KMS + STS emulator for one test, seeded with the OpenKCM scenario (console user, role with external ID,
/// L1 key), and a plugin whose pooled handler records every AWS action it sends (from X-Amz-Target and STS Action).
/// </summary>
internal sealed class AwsKmsSandbox : IAsyncDisposable
{
    private AwsKmsSandbox(AwsKmsEmulator emulator, TimeProvider time)
    {
        Emulator = emulator;
        Time = time;
    }

    public AwsKmsEmulator Emulator { get; }

    public TimeProvider Time { get; }

    /// <summary>Every AWS action the plugins made through <see cref="Plugin"/>, e.g. <c>kms:Encrypt</c>, in order.</summary>
    public ConcurrentQueue<string> Actions { get; } = new();

    /// <summary>
    /// Starts the emulator on <paramref name="time"/> (sessions and keys expire by it) while it checks request signatures
    /// against the machine's clock, which the AWS SDK signs with.
    /// </summary>
    public static async Task<AwsKmsSandbox> StartAsync(TimeProvider? time = null) =>
        new(await AwsKmsEmulator.StartAsync(
                new AwsKmsEmulatorOptions { TimeProvider = time ?? TimeProvider.System, SignatureClock = TimeProvider.System }, CancellationToken.None),
            time ?? TimeProvider.System);

    /// <summary>The emulator's manifest configuration: the seeded key by ARN, the console's access key.</summary>
    public KeystoreSettings Settings(KeystoreContext? context = null)
    {
        var configuration = Emulator.ManifestEntry()["configuration"]!.AsObject();
        return new KeystoreSettings(configuration.ToImmutableDictionary(p => p.Key, p => p.Value!.GetValue<string>()), context);
    }

    public ISecretResolver Secrets(string? secretAccessKey = null) =>
        new InMemorySecretResolver(ImmutableDictionary<string, string>.Empty
            .Add(AwsKmsFieldNames.SecretAccessKey, secretAccessKey ?? Emulator.ConsoleAccessKey.SecretAccessKey));

    /// <summary>A plugin (on this sandbox's clock unless <paramref name="time"/> is given) whose requests are recorded in <see cref="Actions"/>.</summary>
    public AwsKmsPlugin Plugin(AwsKmsOptions? options = null, TimeProvider? time = null)
    {
        options ??= new AwsKmsOptions();
        var pool = new AwsHttpHandlerPool(options, inner => new ActionRecordingHandler(inner, Actions));
        return new AwsKmsPlugin(pool, time ?? Time, options);
    }

    /// <summary>A role trusted by the console user with the sandbox's external ID, allowed <paramref name="actions"/>.</summary>
    public string CreateRole(string name, IEnumerable<string> actions, bool requireExternalId = true) =>
        Emulator.Admin.CreateRole(name, Emulator.ConsoleUserArn, requireExternalId ? Emulator.ExternalId : null, actions);

    public async ValueTask DisposeAsync() => await Emulator.DisposeAsync();
}

/// <summary>Records the AWS action of each request: KMS <c>X-Amz-Target: TrentService.Op</c>, STS <c>Action=Op</c>.</summary>
internal sealed class ActionRecordingHandler(HttpMessageHandler inner, ConcurrentQueue<string> actions) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets))
        {
            actions.Enqueue("kms:" + targets.Single().Split('.')[1]);
        }
        else if (request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            var action = body.Split('&').Select(p => p.Split('=')).FirstOrDefault(p => p[0] == "Action");
            if (action is not null)
            {
                actions.Enqueue("sts:" + Uri.UnescapeDataString(action[1]));
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

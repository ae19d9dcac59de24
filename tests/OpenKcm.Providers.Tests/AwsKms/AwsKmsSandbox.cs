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

    /// <summary>
    /// A plugin (on this sandbox's clock unless <paramref name="time"/> is given) whose requests are recorded in
    /// <see cref="Actions"/>; <paramref name="wrap"/> may put a handler of the test's between the SDK and the wire.
    /// </summary>
    public AwsKmsPlugin Plugin(AwsKmsOptions? options = null, TimeProvider? time = null, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        options ??= new AwsKmsOptions();
        var pool = new AwsHttpHandlerPool(options, inner => new ActionRecordingHandler(wrap is null ? inner : wrap(inner), Actions));
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

/// <summary>
/// Switches the emulator's injected server errors on for exactly the requests <paramref name="affected"/> selects (by
/// their form body), so that a real STS call fails with the emulator's own 500 InternalFailure while the others pass.
/// </summary>
internal sealed class ServerErrorForHandler(HttpMessageHandler inner, AwsKmsEmulator emulator, Func<string, bool> affected)
    : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (!affected(body))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        emulator.Faults.ErrorRate = 1;
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            emulator.Faults.ErrorRate = 0;
        }
    }
}

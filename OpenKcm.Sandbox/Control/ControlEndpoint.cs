using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.Hosting;

namespace OpenKcm.Sandbox.Control;

/// <summary>
/// The fault-injection control API, on its own loopback listener so it stays reachable while an emulator is down:
/// <c>GET /control/</c> lists the emulators; <c>GET /control/{name}</c> answers the faults;
/// <c>PUT /control/{name}</c> changes the fields sent (<c>latency_ms</c>, <c>error_rate</c>, <c>sealed</c>,
/// <c>down</c>) and answers the result; <c>POST /control/{name}/reset</c> clears them. Errors are
/// <c>{"errors":[...]}</c> with 400 (bad body), 404 (unknown emulator or path) or 405 (wrong method).
/// </summary>
internal sealed class ControlEndpoint : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Dictionary<string, ISandboxEmulator> _emulators;
    private readonly ILogger _logger;
    private WebApplication? _app;

    private ControlEndpoint(IEnumerable<ISandboxEmulator> emulators, ILogger logger)
    {
        _emulators = emulators.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _logger = logger;
    }

    /// <summary><c>http://127.0.0.1:PORT/control/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Listens on <paramref name="port"/>, or on any free port when it is 0 or taken (with a warning).</summary>
    public static async Task<ControlEndpoint> StartAsync(
        IEnumerable<ISandboxEmulator> emulators, int port, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var endpoint = new ControlEndpoint(emulators, loggerFactory.CreateLogger<ControlEndpoint>());
        endpoint._app = await PortFallback.StartAsync("control endpoint", [port],
            "tools must take control_url from the new manifest", endpoint.HandleAsync, loggerFactory, cancellationToken)
            .ConfigureAwait(false);
        endpoint.Url = new Uri($"http://127.0.0.1:{LoopbackApp.BoundPort(endpoint._app)}/control/");
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        var cancellationToken = context.RequestAborted;
        if (segments is not ["control", ..] || segments.Length > 3 || (segments.Length == 3 && segments[2] != "reset"))
        {
            await WriteAsync(context, 404, Errors("not found"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (segments.Length == 1)
        {
            await (method == "GET" ? WriteAsync(context, 200, Directory(), cancellationToken) : MethodNotAllowed(context))
                .ConfigureAwait(false);
            return;
        }

        if (!_emulators.TryGetValue(segments[1], out var emulator))
        {
            await WriteAsync(context, 404, Errors($"unknown emulator \"{segments[1]}\""), cancellationToken).ConfigureAwait(false);
            return;
        }

        var task = (segments.Length, method) switch
        {
            (2, "GET") => WriteAsync(context, 200, Describe(emulator.Faults.Snapshot()), cancellationToken),
            (2, "PUT") => ChangeAsync(context, emulator, cancellationToken),
            (3, "POST") => ResetAsync(context, emulator, cancellationToken),
            _ => MethodNotAllowed(context),
        };
        await task.ConfigureAwait(false);
    }

    private async Task ChangeAsync(HttpContext context, ISandboxEmulator emulator, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(context.Request.Body);
        var settings = ControlRequest.Parse(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false), out var error);
        if (error is not null)
        {
            await WriteAsync(context, 400, Errors(error), cancellationToken).ConfigureAwait(false);
            return;
        }

        var result = await emulator.Faults.ApplyAsync(settings, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Faults of {Emulator} set to {Faults}", emulator.Name, result);
        await WriteAsync(context, 200, Describe(result), cancellationToken).ConfigureAwait(false);
    }

    private async Task ResetAsync(HttpContext context, ISandboxEmulator emulator, CancellationToken cancellationToken)
    {
        var result = await emulator.Faults.ResetAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Faults of {Emulator} reset", emulator.Name);
        await WriteAsync(context, 200, Describe(result), cancellationToken).ConfigureAwait(false);
    }

    private JsonObject Directory() => new()
    {
        ["emulators"] = new JsonArray(_emulators.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => (JsonNode?)new JsonObject
        {
            ["name"] = e.Name,
            ["base_address"] = e.BaseAddress.ToString(),
            ["control_url"] = new Uri(Url, e.Name).ToString(),
            ["faults"] = Describe(e.Faults.Snapshot()),
        }).ToArray()),
    };

    private static JsonNode Describe(FaultSnapshot faults) => JsonSerializer.SerializeToNode(faults, s_json)!;

    private static JsonObject Errors(string message) => new() { ["errors"] = new JsonArray(message) };

    private static Task MethodNotAllowed(HttpContext context) =>
        WriteAsync(context, 405, Errors($"method {context.Request.Method} not allowed"), context.RequestAborted);

    private static async Task WriteAsync(HttpContext context, int status, JsonNode body, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(s_json), cancellationToken).ConfigureAwait(false);
    }
}

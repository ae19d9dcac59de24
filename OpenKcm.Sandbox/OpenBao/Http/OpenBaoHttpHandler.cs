using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Http;

/// <summary>
/// The emulator's HTTP entry point: faults first (latency, injected errors), then the non-logical <c>sys/</c>
/// endpoints that work while sealed (health, seal-status, init), then the sealed check, then the core.
/// Logs method, path and status only: never bodies, tokens or query strings.
/// </summary>
internal sealed class OpenBaoHttpHandler(VaultCore core, EmulatorFaults faults, OpenBaoNodeState node, ILogger logger)
{
    private int _inFlight;

    /// <summary>Requests being handled right now (including those waiting on injected latency).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = cancellation.Token;
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!await FaultInjection.ApplyAsync(faults, context, InjectedFaultAsync, cancellationToken).ConfigureAwait(false))
            {
                await RouteAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (VaultException error)
        {
            await VaultHttp.WriteErrorAsync(context, error.StatusCode, error.Errors, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the listener is going down: drop the connection like a dying server would.
            context.Abort();
        }

        logger.LogDebug("{Method} {Path} -> {Status} in {Elapsed} ms", context.Request.Method, context.Request.Path,
            context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private Task InjectedFaultAsync(HttpContext context) =>
        VaultHttp.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, ["injected fault"], context.RequestAborted);

    private async Task RouteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        switch (path)
        {
            case "/v1/sys/health":
                await HealthEndpoint.WriteAsync(context, core, faults, node, cancellationToken).ConfigureAwait(false);
                return;
            case "/v1/sys/seal-status":
                RequireGet(context);
                await VaultHttp.WriteJsonAsync(context, StatusCodes.Status200OK, SealStatus(), cancellationToken).ConfigureAwait(false);
                return;
            case "/v1/sys/init":
                RequireGet(context);
                await VaultHttp.WriteJsonAsync(context, StatusCodes.Status200OK,
                    new JsonObject { ["initialized"] = node.Initialized }, cancellationToken).ConfigureAwait(false);
                return;
        }

        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            throw new VaultException(StatusCodes.Status404NotFound);
        }

        if (faults.Sealed || !node.Initialized)
        {
            throw new VaultException(StatusCodes.Status503ServiceUnavailable, "Vault is sealed");
        }

        var request = await VaultHttp.ReadRequestAsync(context, cancellationToken).ConfigureAwait(false);
        var response = core.Handle(request);
        await VaultHttp.WriteResponseAsync(context, response, cancellationToken).ConfigureAwait(false);
    }

    private static void RequireGet(HttpContext context)
    {
        if (context.Request.Method != "GET")
        {
            throw new VaultException(StatusCodes.Status405MethodNotAllowed);
        }
    }

    private JsonObject SealStatus()
    {
        var isSealed = faults.Sealed || !node.Initialized;
        var status = new JsonObject
        {
            ["type"] = "shamir",
            ["initialized"] = node.Initialized,
            ["sealed"] = isSealed,
            ["t"] = 1,
            ["n"] = 1,
            ["progress"] = 0,
            ["nonce"] = "",
            ["version"] = core.Version,
            ["build_date"] = "2026-08-18T00:00:00Z",
            ["migration"] = false,
            ["recovery_seal"] = false,
            ["storage_type"] = "inmem",
        };
        if (!isSealed)
        {
            status["cluster_name"] = core.ClusterName;
            status["cluster_id"] = core.ClusterId;
        }

        return status;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Http;

/// <summary>
/// <c>GET|HEAD /v1/sys/health</c>, unauthenticated. Defaults 200 active, 429 standby, 501 uninitialized, 503 sealed;
/// the Vault profile adds 472 (DR secondary), 473 (performance standby) and <c>perfstandbyok</c>. Each code can be
/// overridden by its query parameter; a malformed parameter is a 400 with an empty error list, as in OpenBao.
/// </summary>
internal static class HealthEndpoint
{
    public static async Task WriteAsync(
        HttpContext context, VaultCore core, EmulatorFaults faults, OpenBaoNodeState node, CancellationToken cancellationToken)
    {
        var method = context.Request.Method;
        if (method is not ("GET" or "HEAD"))
        {
            await VaultHttp.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, [], cancellationToken).ConfigureAwait(false);
            return;
        }

        var vault = core.Profile == OpenBaoProfile.Vault;
        var query = context.Request.Query;
        var parsed = TryFlag(query, "standbyok", out var standbyOk)
            & TryFlag(query, "perfstandbyok", out var perfStandbyOk)
            & TryCode(query, "activecode", 200, out var activeCode)
            & TryCode(query, "standbycode", 429, out var standbyCode)
            & TryCode(query, "drsecondarycode", 472, out var drSecondaryCode)
            & TryCode(query, "performancestandbycode", 473, out var perfStandbyCode)
            & TryCode(query, "sealedcode", 503, out var sealedCode)
            & TryCode(query, "uninitcode", 501, out var uninitCode);
        if (!parsed)
        {
            await VaultHttp.WriteErrorAsync(context, StatusCodes.Status400BadRequest, [], cancellationToken).ConfigureAwait(false);
            return;
        }

        var initialized = node.Initialized;
        var isSealed = !initialized || faults.Sealed;
        var perfStandby = vault && node.PerformanceStandby;
        var drSecondary = vault && node.DrSecondary;
        var standby = node.Standby || perfStandby;
        var code = activeCode;
        if (!initialized)
        {
            code = uninitCode;
        }
        else if (isSealed)
        {
            code = sealedCode;
        }
        else if (drSecondary)
        {
            code = drSecondaryCode;
        }
        else if (perfStandby)
        {
            code = vault && perfStandbyOk ? activeCode : perfStandbyCode;
        }
        else if (standby && !standbyOk)
        {
            code = standbyCode;
        }

        if (method == "HEAD")
        {
            context.Response.StatusCode = code;
            context.Response.ContentType = "application/json";
            return;
        }

        var body = new JsonObject
        {
            ["initialized"] = initialized,
            ["sealed"] = isSealed,
            ["standby"] = standby,
            ["performance_standby"] = perfStandby,
            ["replication_performance_mode"] = "disabled",
            ["replication_dr_mode"] = drSecondary ? "secondary" : "disabled",
            ["server_time_utc"] = core.Time.GetUtcNow().ToUnixTimeSeconds(),
            ["version"] = core.Version,
        };
        if (vault)
        {
            body["enterprise"] = false;
        }

        if (!isSealed)
        {
            body["cluster_name"] = core.ClusterName;
            body["cluster_id"] = core.ClusterId;
        }

        await VaultHttp.WriteJsonAsync(context, code, body, cancellationToken).ConfigureAwait(false);
    }

    private static bool TryFlag(IQueryCollection query, string name, out bool value)
    {
        value = false;
        if (!query.TryGetValue(name, out var raw))
        {
            return true;
        }

        // Vault parses with mapstructure's weak decoding, where an empty value is false.
        var parsed = raw.ToString().Length == 0 ? false : VaultFormat.ParseBool(raw.ToString());
        value = parsed ?? false;
        return parsed is not null;
    }

    private static bool TryCode(IQueryCollection query, string name, int fallback, out int code)
    {
        code = fallback;
        return !query.TryGetValue(name, out var raw)
            || int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox.Control;

/// <summary>
/// Reads the body of <c>PUT /control/{name}</c> strictly: a JSON object with any of <c>latency_ms</c> (integer),
/// <c>error_rate</c> (number), <c>sealed</c> and <c>down</c> (booleans). Anything else is an error, so a typo such
/// as <c>"latency": 500</c> fails loudly instead of changing nothing.
/// </summary>
internal static class ControlRequest
{
    public static FaultSettings Parse(string body, out string? error)
    {
        error = null;
        JsonObject fields;
        try
        {
            fields = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("the body must be a JSON object");
        }
        catch (JsonException problem)
        {
            error = $"invalid JSON: {problem.Message}";
            return new FaultSettings();
        }

        var settings = new FaultSettings();
        foreach (var (name, value) in fields)
        {
            settings = (name, value?.GetValueKind()) switch
            {
                ("latency_ms", JsonValueKind.Number) when value!.AsValue().TryGetValue(out int ms) => settings with { LatencyMs = ms },
                ("error_rate", JsonValueKind.Number) => settings with { ErrorRate = value!.GetValue<double>() },
                ("sealed", JsonValueKind.True or JsonValueKind.False) => settings with { Sealed = value!.GetValue<bool>() },
                ("down", JsonValueKind.True or JsonValueKind.False) => settings with { Down = value!.GetValue<bool>() },
                ("latency_ms" or "error_rate" or "sealed" or "down", _) => Fail(ref error, $"{name} has the wrong type", settings),
                _ => Fail(ref error, $"unknown field \"{name}\" (expected latency_ms, error_rate, sealed, down)", settings),
            };
        }

        error ??= EmulatorFaults.Validate(settings);
        return settings;
    }

    private static FaultSettings Fail(ref string? error, string message, FaultSettings settings)
    {
        error ??= message;
        return settings;
    }
}

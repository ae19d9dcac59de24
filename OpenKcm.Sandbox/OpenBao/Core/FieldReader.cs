using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// Reads request fields the way Vault's <c>framework.FieldData</c> converts them: strings may carry numbers and
/// booleans, lists may be JSON arrays or comma-separated strings, durations may be seconds or Go duration strings.
/// </summary>
internal sealed class FieldReader(JsonObject data)
{
    public bool Has(string name) => data[name] is not null;

    public JsonNode? Raw(string name) => data[name];

    public string String(string name, string fallback = "") => data[name] switch
    {
        null => fallback,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        var other => throw Conversion(name, other, "expected a string"),
    };

    public bool Bool(string name, bool fallback)
    {
        var node = data[name];
        if (node is null)
        {
            return fallback;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        return VaultFormat.ParseBool(String(name)) ?? throw Conversion(name, node, "expected a boolean");
    }

    public long Int(string name, long fallback)
    {
        var node = data[name];
        if (node is null)
        {
            return fallback;
        }

        var text = String(name);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw Conversion(name, node, "expected an integer");
    }

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var node = data[name];
        if (node is null)
        {
            return fallback;
        }

        return VaultDuration.TryParse(String(name), out var duration) && duration >= TimeSpan.Zero
            ? duration
            : throw Conversion(name, node, $"time: invalid duration \"{String(name)}\"");
    }

    /// <summary>A list of strings from a JSON array or a comma-separated string; empty items are dropped.</summary>
    public IReadOnlyList<string> StringList(string name)
    {
        var items = data[name] switch
        {
            null => [],
            JsonArray array => array.Select(item => item?.ToString() ?? ""),
            _ => String(name).Split(','),
        };
        return items.Select(item => item.Trim()).Where(item => item.Length > 0).ToList();
    }

    /// <summary>A map of strings, sent as a JSON object or as a JSON string holding one (hvac sends the latter).</summary>
    public Dictionary<string, string> StringMap(string name)
    {
        var node = data[name];
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            try
            {
                node = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                throw Conversion(name, value, "expected a JSON object");
            }
        }

        return node switch
        {
            null => [],
            JsonObject map => map.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.Ordinal),
            _ => throw Conversion(name, node, "expected a map of strings"),
        };
    }

    private static VaultException Conversion(string name, JsonNode node, string reason) =>
        VaultException.BadRequest($"error converting input {node.ToJsonString()} for field \"{name}\": {reason}");
}

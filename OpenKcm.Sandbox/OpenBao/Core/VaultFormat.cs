using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>Small value formats Vault uses in several places: timestamps, string lists, random IDs, Go booleans.</summary>
internal static class VaultFormat
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>RFC 3339 in UTC with fractional seconds, as Go's <c>time.Time</c> marshals.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    public static JsonObject StringMap(IEnumerable<KeyValuePair<string, string>> pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    /// <summary>A random alphanumeric string (token IDs, accessors, namespace IDs).</summary>
    public static string RandomId(int length) => RandomNumberGenerator.GetString(Base62, length);

    /// <summary>Go's <c>strconv.ParseBool</c>, which Vault uses for query flags and string-typed booleans.</summary>
    public static bool? ParseBool(string? value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => null,
    };
}

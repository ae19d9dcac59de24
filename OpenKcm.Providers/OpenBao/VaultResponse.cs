using System.Collections.Immutable;
using System.Text.Json;

namespace OpenKcm.Providers.OpenBao;

/// <summary>A Vault HTTP answer: status, parsed JSON body (if any) and the headers the client needs.</summary>
internal sealed record VaultResponse(int Status, JsonElement? Body, bool NotJson, TimeSpan? RetryAfter, Uri? Location)
{
    /// <summary>The <c>errors</c> array of an error answer (<c>{"errors":["..."]}</c>), empty when absent.</summary>
    public ImmutableArray<string> Errors =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array
            ? [.. e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];

    public static VaultResponse Create(int status, byte[] body, TimeSpan? retryAfter, Uri? location)
    {
        if (body.Length == 0)
        {
            return new(status, null, false, retryAfter, location);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return new(status, document.RootElement.Clone(), false, retryAfter, location);
        }
        catch (JsonException)
        {
            return new(status, null, true, retryAfter, location);
        }
    }
}

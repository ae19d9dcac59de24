using System.Text.Json;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms.Core;

namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>Typed reads of a KMS JSON request body; a member of the wrong JSON type is a 400 SerializationException.</summary>
internal sealed class KmsRequest(JsonObject body)
{
    public static KmsRequest Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return new KmsRequest([]);
        }

        try
        {
            return JsonNode.Parse(body) is JsonObject json
                ? new KmsRequest(json)
                : throw new AwsException(400, "SerializationException", "Start of structure or map found where not expected.");
        }
        catch (JsonException)
        {
            throw new AwsException(400, "SerializationException", "The request body is not valid JSON.");
        }
    }

    public string? String(string name) => Get(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw WrongType(name, "a string"),
    };

    public string RequiredString(string name, int maxLength = 2048)
    {
        var value = String(name) ?? throw AwsException.KmsValidation(KmsValidation.NotNull(Camel(name)));
        if (value.Length == 0)
        {
            throw AwsException.KmsValidation(KmsValidation.MinLength(Camel(name), 1));
        }

        return value.Length > maxLength ? throw AwsException.KmsValidation(KmsValidation.MaxLength(Camel(name), maxLength)) : value;
    }

    public int? Int(string name) => Get(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        _ => throw WrongType(name, "an integer"),
    };

    public bool Bool(string name) => Get(name) switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw WrongType(name, "a boolean"),
    };

    /// <summary>A base64 blob (standard alphabet) of <paramref name="min"/>..<paramref name="max"/> bytes; <c>null</c> when absent.</summary>
    public byte[]? Blob(string name, int min, int max)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new AwsException(400, "SerializationException", $"'{name}' is not valid base64.");
        }

        if (bytes.Length < min)
        {
            throw AwsException.KmsValidation(KmsValidation.MinLength(Camel(name), min));
        }

        return bytes.Length > max ? throw AwsException.KmsValidation(KmsValidation.MaxLength(Camel(name), max)) : bytes;
    }

    public IReadOnlyDictionary<string, string> Map(string name)
    {
        switch (Get(name))
        {
            case null:
                return new Dictionary<string, string>();
            case JsonObject map:
                var result = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in map)
                {
                    result[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw WrongType(name, "a map of strings");
                }

                return result;
            default:
                throw WrongType(name, "a map of strings");
        }
    }

    private JsonNode? Get(string name) => body.TryGetPropertyValue(name, out var node) ? node : null;

    /// <summary>KMS's validation messages name members in camelCase (<c>keyId</c>, <c>plaintext</c>).</summary>
    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static AwsException WrongType(string name, string expected) =>
        new(400, "SerializationException", $"'{name}' must be {expected}.");
}

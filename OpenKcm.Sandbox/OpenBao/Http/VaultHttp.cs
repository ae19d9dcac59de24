using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Http;

/// <summary>
/// Vault's HTTP conventions: verbs to operations (PUT == POST, <c>LIST</c> or <c>GET ?list=true</c>), JSON bodies
/// with or without Content-Type, the token in <c>X-Vault-Token</c> or <c>Authorization: Bearer</c>, and the response
/// envelope. Content-Type is exactly <c>application/json</c>: hvac compares it literally to find the errors.
/// </summary>
internal static class VaultHttp
{
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<VaultRequest> ReadRequestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var http = context.Request;
        var operation = http.Method switch
        {
            "GET" => IsTrue(http.Query["list"]) ? VaultOperation.List : VaultOperation.Read,
            "LIST" => VaultOperation.List,
            "POST" or "PUT" => VaultOperation.Update,
            "DELETE" => VaultOperation.Delete,
            _ => throw new VaultException(405),
        };
        if (http.Headers.ContainsKey("X-Vault-Wrap-TTL"))
        {
            throw VaultException.BadRequest("response wrapping is not supported by the sandbox emulator");
        }

        var path = http.Path.Value!["/v1/".Length..];
        if (operation == VaultOperation.List && !path.EndsWith('/'))
        {
            path += "/";
        }

        return new VaultRequest
        {
            Operation = operation,
            Path = path,
            Namespace = http.Headers["X-Vault-Namespace"].ToString(),
            ClientToken = Token(http),
            Data = operation == VaultOperation.Update ? await ReadBodyAsync(http, cancellationToken).ConfigureAwait(false) : Query(http),
        };
    }

    public static Task WriteResponseAsync(HttpContext context, VaultResponse? response, CancellationToken cancellationToken)
    {
        if (response is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }

        var body = new JsonObject
        {
            ["request_id"] = Guid.NewGuid().ToString(),
            ["lease_id"] = "",
            ["renewable"] = false,
            ["lease_duration"] = 0,
            ["data"] = response.Data,
            ["wrap_info"] = null,
            ["warnings"] = response.Warnings.Count == 0 ? null : VaultFormat.Strings(response.Warnings),
            ["auth"] = response.Auth,
            ["mount_type"] = response.MountType,
        };
        if (response.DataAtTopLevel && response.Data is { } data)
        {
            foreach (var (key, value) in data)
            {
                body.TryAdd(key, value?.DeepClone());
            }
        }

        return WriteJsonAsync(context, response.StatusCode, body, cancellationToken);
    }

    public static Task WriteErrorAsync(HttpContext context, int statusCode, IEnumerable<string> errors, CancellationToken cancellationToken) =>
        WriteJsonAsync(context, statusCode, new JsonObject
        {
            ["errors"] = VaultFormat.Strings(errors),
        }, cancellationToken);

    public static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = statusCode;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(s_json) + "\n", cancellationToken).ConfigureAwait(false);
    }

    private static bool IsTrue(string? value) => VaultFormat.ParseBool(value) == true;

    private static string? Token(HttpRequest http)
    {
        var token = http.Headers["X-Vault-Token"].ToString();
        if (token.Length > 0)
        {
            return token;
        }

        var authorization = http.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(http.Body);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw VaultException.BadRequest("failed to parse JSON input: the body must be a JSON object");
        }
        catch (JsonException error)
        {
            throw VaultException.BadRequest($"failed to parse JSON input: {error.Message}");
        }
    }

    private static JsonObject Query(HttpRequest http)
    {
        var data = new JsonObject();
        foreach (var (key, values) in http.Query.Where(q => q.Key != "list"))
        {
            data[key] = values.Count == 1 ? values[0] : VaultFormat.Strings(values.OfType<string>());
        }

        return data;
    }
}

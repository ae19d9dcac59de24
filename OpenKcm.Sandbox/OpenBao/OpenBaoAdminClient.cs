using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao;

/// <summary>
/// Set-up helper for tests and tools: sends the same admin requests an operator would (policies, AppRole roles,
/// transit mounts and keys, namespaces, tokens) over HTTP with a privileged token. Not a keystore client: the
/// plugin's own client lives in OpenKcm.Providers. Any non-2xx answer throws <see cref="HttpRequestException"/>
/// with the status code and Vault's error messages. Dispose it when done.
/// </summary>
public sealed class OpenBaoAdminClient : IDisposable
{
    private readonly HttpClient _http;

    public OpenBaoAdminClient(Uri baseAddress, string token, string? @namespace = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Add("X-Vault-Token", token);
        if (!string.IsNullOrEmpty(@namespace))
        {
            _http.DefaultRequestHeaders.Add("X-Vault-Namespace", @namespace);
        }
    }

    /// <summary>Writes an ACL policy (HCL or JSON) with <c>PUT sys/policies/acl/:name</c>.</summary>
    public Task WritePolicyAsync(string name, string policy, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"sys/policies/acl/{name}", new JsonObject { ["policy"] = policy }, cancellationToken);

    public Task EnableTransitAsync(string mountPath, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"sys/mounts/{mountPath}", new JsonObject { ["type"] = "transit" }, cancellationToken);

    public Task CreateTransitKeyAsync(string mountPath, string keyName, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"{mountPath}/keys/{keyName}", [], cancellationToken);

    public Task EnableAppRoleAsync(string mountPath = "approle", CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"sys/auth/{mountPath}", new JsonObject { ["type"] = "approle" }, cancellationToken);

    public Task CreateNamespaceAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"sys/namespaces/{name}", [], cancellationToken);

    /// <summary>
    /// Creates (or updates) an AppRole role and returns its role ID and a new secret ID. A <c>null</c>
    /// <paramref name="tokenTtl"/> or <paramref name="tokenMaxTtl"/> leaves Vault's defaults (768h).
    /// </summary>
    public async Task<AppRoleCredentials> CreateAppRoleAsync(string roleName, IEnumerable<string> policies,
        TimeSpan? tokenTtl = null, TimeSpan? tokenMaxTtl = null, string mountPath = "approle",
        CancellationToken cancellationToken = default)
    {
        var role = $"auth/{mountPath}/role/{roleName}";
        var body = new JsonObject { ["token_policies"] = string.Join(',', policies) };
        if (tokenTtl is { } ttl)
        {
            body["token_ttl"] = Seconds(ttl);
        }

        if (tokenMaxTtl is { } maxTtl)
        {
            body["token_max_ttl"] = Seconds(maxTtl);
        }

        await SendAsync(HttpMethod.Post, role, body, cancellationToken).ConfigureAwait(false);
        var roleId = await SendAsync(HttpMethod.Get, $"{role}/role-id", null, cancellationToken).ConfigureAwait(false);
        var secretId = await SendAsync(HttpMethod.Post, $"{role}/secret-id", [], cancellationToken).ConfigureAwait(false);
        return new AppRoleCredentials(
            roleId!["data"]!["role_id"]!.GetValue<string>(), secretId!["data"]!["secret_id"]!.GetValue<string>());
    }

    /// <summary>Creates a child token with <c>auth/token/create</c> and returns its ID.</summary>
    public async Task<string> CreateTokenAsync(IEnumerable<string> policies, TimeSpan? ttl = null, bool renewable = true,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["policies"] = new JsonArray(policies.Select(p => (JsonNode?)p).ToArray()),
            ["renewable"] = renewable,
        };
        if (ttl is { } value)
        {
            body["ttl"] = Seconds(value);
        }

        var response = await SendAsync(HttpMethod.Post, "auth/token/create", body, cancellationToken).ConfigureAwait(false);
        return response!["auth"]!["client_token"]!.GetValue<string>();
    }

    /// <summary>Any request below <c>/v1/</c>; returns the JSON body, or <c>null</c> for 204.</summary>
    public async Task<JsonObject?> SendAsync(HttpMethod method, string path, JsonObject? body,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, "v1/" + path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} answered {(int)response.StatusCode}: {text.Trim()}",
                null, response.StatusCode);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
    }

    public void Dispose() => _http.Dispose();

    private static string Seconds(TimeSpan value) =>
        ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
}

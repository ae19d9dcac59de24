using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>
/// Raw HTTP against the emulator: the test chooses verb, path, headers and body byte for byte (no Vault client
/// logic), and gets status and JSON back.
/// </summary>
internal sealed class VaultApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Task<VaultReply> GetAsync(string path, string? token = null, string? ns = null) =>
        SendAsync("GET", path, body: null, token, ns);

    public Task<VaultReply> PostAsync(string path, JsonObject? body = null, string? token = null, string? ns = null) =>
        SendAsync("POST", path, (body ?? []).ToJsonString(), token, ns);

    public Task<VaultReply> ListAsync(string path, string? token = null, string? ns = null) =>
        SendAsync("LIST", path, body: null, token, ns);

    public Task<VaultReply> DeleteAsync(string path, string? token = null, string? ns = null) =>
        SendAsync("DELETE", path, body: null, token, ns);

    /// <summary>Sends <paramref name="body"/> as is, without a Content-Type header (Vault does not require one).</summary>
    public async Task<VaultReply> SendAsync(string method, string path, string? body, string? token = null, string? ns = null,
        Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }

        if (token is not null)
        {
            request.Headers.Add("X-Vault-Token", token);
        }

        if (ns is not null)
        {
            request.Headers.Add("X-Vault-Namespace", ns);
        }

        headers?.Invoke(request.Headers);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json"
            ? JsonNode.Parse(text) as JsonObject
            : null;
        return new VaultReply(response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, json);
    }

    /// <summary>AppRole login; returns the client token.</summary>
    public async Task<string> LoginAsync(string roleId, string secretId, string? ns = null, string mount = "approle")
    {
        var reply = await PostAsync($"v1/auth/{mount}/login", new JsonObject { ["role_id"] = roleId, ["secret_id"] = secretId }, ns: ns);
        Assert.True(reply.Status == System.Net.HttpStatusCode.OK, reply.ToString());
        return reply.Auth["client_token"]!.GetValue<string>();
    }

    public void Dispose() => _http.Dispose();
}

using System.Buffers;
using System.Collections.Immutable;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Typed client for the parts of the Vault HTTP API (as implemented by OpenBao) the plugin uses: sys/health, AppRole
/// login, token lookup-self/renew-self and transit key read/encrypt/decrypt/list. Thread-safe; one instance per
/// configuration, over a pooled handler from <see cref="OpenBaoHandlerPool"/>. Every failure is a
/// <see cref="KeystoreException"/>; no message contains the token, the secret_id or plaintext.
/// </summary>
internal sealed class VaultClient : IDisposable
{
    private const string LoginPath = "auth/approle/login";

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public VaultClient(HttpClient http, Uri address, string? ns, TimeSpan requestTimeout, TimeProvider time)
    {
        _http = http;
        Address = address;
        Namespace = ns;
        RequestTimeout = requestTimeout;
        _time = time;
    }

    /// <summary>The API base address, with a trailing slash.</summary>
    public Uri Address { get; }

    public string? Namespace { get; }

    public TimeSpan RequestTimeout { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// <c>GET sys/health?standbyok=false</c>. Every status OpenBao or Vault uses to describe a node's state (200
    /// active, 429 standby, 472 DR secondary, 473 performance standby, 474 standby without heartbeat, 501
    /// uninitialized, 503 sealed, 530 removed from the cluster) is an answer, not an error: the caller interprets it
    /// together with the body.
    /// </summary>
    public async Task<VaultHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        const string Path = "sys/health";
        var r = await SendAsync(VaultOperation.Health, HttpMethod.Get, Path + "?standbyok=false", null, null, [], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status is 200 or 429 or 472 or 473 or 474 or 501 or 503 or 530
            && r.Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("initialized", out _))
        {
            return new VaultHealth(r.Status, GetBool(b, "initialized"), GetBool(b, "sealed"), GetBool(b, "standby"),
                GetBool(b, "performance_standby"), GetString(b, "version"), GetString(b, "cluster_name"));
        }

        throw VaultErrors.FromResponse(VaultOperation.Health, Path, r, []);
    }

    /// <summary>
    /// <c>POST auth/approle/login</c>. On "invalid role or secret ID" it asks once more with the role_id alone to tell
    /// an unknown role_id from a rejected secret_id (OpenBao looks the role up first and answers "missing secret_id"
    /// for a known one); the failure kind is in <c>Data[LoginFailureKey]</c>.
    /// </summary>
    public async Task<VaultAuth> LoginAppRoleAsync(string roleId, SecretValue secretId, CancellationToken cancellationToken)
    {
        var secret = secretId.Reveal();
        string[] sensitive = [secret];
        var body = JsonBody(w =>
        {
            w.WriteString("role_id", roleId);
            w.WriteString("secret_id", secret);
        });
        var r = await SendAsync(VaultOperation.Login, HttpMethod.Post, LoginPath, null, body, sensitive, cancellationToken)
            .ConfigureAwait(false);
        if (r.Status == 200)
        {
            return ParseAuth(VaultOperation.Login, LoginPath, r);
        }

        if (r.Status is not (400 or 401 or 403 or 404))
        {
            throw VaultErrors.FromResponse(VaultOperation.Login, LoginPath, r, sensitive);
        }

        var failure = Classify(r);
        if (failure is null)
        {
            failure = await ProbeRoleIdAsync(roleId, cancellationToken).ConfigureAwait(false);
        }

        var said = VaultErrors.ServerMessage(r, sensitive);
        var message = failure switch
        {
            LoginFailure.UnknownRoleId => "OpenBao does not recognise the role_id: no AppRole has this role ID (in this namespace).",
            LoginFailure.InvalidSecretId =>
                "OpenBao recognises the role_id but rejected the secret_id: it is wrong, expired, or has no uses left.",
            LoginFailure.AppRoleNotEnabled => "No AppRole auth method is enabled at auth/approle/ on this server (or namespace).",
            _ => $"OpenBao refused the AppRole login{(said.Length > 0 ? $": {said}" : "")}.",
        };
        var ex = new KeystoreException(KeystoreErrorKind.AuthenticationFailed, message)
        {
            VendorCode = r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        ex.Data[VaultErrors.LoginFailureKey] = failure;
        throw ex;
    }

    /// <summary><c>GET auth/token/lookup-self</c>.</summary>
    public async Task<VaultTokenInfo> LookupSelfAsync(string token, CancellationToken cancellationToken)
    {
        const string Path = "auth/token/lookup-self";
        var r = await SendAsync(VaultOperation.LookupSelf, HttpMethod.Get, Path, token, null, [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status != 200 || Data(r) is not { } d)
        {
            throw VaultErrors.FromResponse(VaultOperation.LookupSelf, Path, r, [token]);
        }

        DateTimeOffset? expire = GetString(d, "expire_time") is { } e
            && DateTimeOffset.TryParse(e, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : null;
        return new VaultTokenInfo(
            Seconds(d, "ttl"), GetBool(d, "renewable"), GetStrings(d, "policies"), Seconds(d, "explicit_max_ttl"),
            Seconds(d, "period"), expire, GetString(d, "type"));
    }

    /// <summary><c>POST auth/token/renew-self</c>; reads the new lease from <c>auth</c>.</summary>
    public async Task<VaultAuth> RenewSelfAsync(string token, CancellationToken cancellationToken)
    {
        const string Path = "auth/token/renew-self";
        var r = await SendAsync(VaultOperation.RenewSelf, HttpMethod.Post, Path, token, JsonBody(_ => { }), [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status != 200)
        {
            throw VaultErrors.FromResponse(VaultOperation.RenewSelf, Path, r, [token]);
        }

        return ParseAuth(VaultOperation.RenewSelf, Path, r);
    }

    /// <summary><c>GET &lt;mount&gt;/keys/&lt;name&gt;</c>.</summary>
    public async Task<TransitKeyInfo> ReadKeyAsync(string token, string mount, string key, CancellationToken cancellationToken)
    {
        var path = $"{mount}/keys/{key}";
        var r = await SendAsync(VaultOperation.ReadKey, HttpMethod.Get, path, token, null, [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status != 200 || Data(r) is not { } d || GetString(d, "type") is not { } type)
        {
            throw VaultErrors.FromResponse(VaultOperation.ReadKey, path, r, [token]);
        }

        var latest = d.TryGetProperty("latest_version", out var lv) && lv.TryGetInt32(out var l)
            ? l
            : d.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Object
                ? keys.EnumerateObject().Select(p => int.TryParse(p.Name, out var v) ? v : 0).DefaultIfEmpty(0).Max()
                : 0;
        return new TransitKeyInfo(type, GetBool(d, "supports_encryption"), GetBool(d, "supports_decryption"),
            GetBool(d, "derived"), GetBool(d, "exportable"), GetBool(d, "deletion_allowed"),
            GetBool(d, "allow_plaintext_backup"), latest);
    }

    /// <summary><c>POST &lt;mount&gt;/encrypt/&lt;name&gt;</c>; returns the <c>vault:vN:...</c> ciphertext.</summary>
    public async Task<string> EncryptAsync(
        string token, string mount, string key, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData,
        CancellationToken cancellationToken)
    {
        var path = $"{mount}/encrypt/{key}";
        var body = JsonBody(w =>
        {
            w.WriteBase64String("plaintext", plaintext.Span);
            if (!associatedData.IsEmpty)
            {
                w.WriteBase64String("associated_data", associatedData.Span);
            }
        });
        var r = await SendAsync(VaultOperation.Encrypt, HttpMethod.Post, path, token, body, [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status != 200 || Data(r) is not { } d || GetString(d, "ciphertext") is not { } ciphertext
            || !ciphertext.StartsWith("vault:v", StringComparison.Ordinal))
        {
            throw VaultErrors.FromResponse(VaultOperation.Encrypt, path, r, [token]);
        }

        return ciphertext;
    }

    /// <summary><c>POST &lt;mount&gt;/decrypt/&lt;name&gt;</c>; returns the plaintext bytes.</summary>
    public async Task<byte[]> DecryptAsync(
        string token, string mount, string key, string ciphertext, ReadOnlyMemory<byte> associatedData,
        CancellationToken cancellationToken)
    {
        var path = $"{mount}/decrypt/{key}";
        var body = JsonBody(w =>
        {
            w.WriteString("ciphertext", ciphertext);
            if (!associatedData.IsEmpty)
            {
                w.WriteBase64String("associated_data", associatedData.Span);
            }
        });
        var r = await SendAsync(VaultOperation.Decrypt, HttpMethod.Post, path, token, body, [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status != 200 || Data(r) is not { } d || !d.TryGetProperty("plaintext", out var p))
        {
            throw VaultErrors.FromResponse(VaultOperation.Decrypt, path, r, [token]);
        }

        // An empty plaintext comes back as "" (or null from some versions).
        if (p.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return p.ValueKind == JsonValueKind.String && p.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new KeystoreException(KeystoreErrorKind.InvalidResponse, $"OpenBao's decrypt answer for {path} is not base64.");
    }

    /// <summary><c>LIST &lt;mount&gt;/keys</c> (as <c>GET ?list=true</c>); 404 means an empty list.</summary>
    public async Task<ImmutableArray<string>> ListKeysAsync(string token, string mount, CancellationToken cancellationToken)
    {
        var path = $"{mount}/keys";
        var r = await SendAsync(VaultOperation.ListKeys, HttpMethod.Get, path + "?list=true", token, null, [token], cancellationToken)
            .ConfigureAwait(false);
        if (r.Status == 404 && !r.NotJson)
        {
            return [];
        }

        if (r.Status != 200 || Data(r) is not { } d)
        {
            throw VaultErrors.FromResponse(VaultOperation.ListKeys, path, r, [token]);
        }

        return GetStrings(d, "keys");
    }

    private static LoginFailure? Classify(VaultResponse r)
    {
        var text = string.Join(" ", r.Errors).ToLowerInvariant();
        return text switch
        {
            _ when r.Status == 404 || text.Contains("no handler for route", StringComparison.Ordinal) => LoginFailure.AppRoleNotEnabled,
            _ when text.Contains("invalid role or secret id", StringComparison.Ordinal) => null,
            _ when text.Contains("secret id", StringComparison.Ordinal) || text.Contains("secret_id", StringComparison.Ordinal) =>
                LoginFailure.InvalidSecretId,
            _ when text.Contains("role id", StringComparison.Ordinal) || text.Contains("role_id", StringComparison.Ordinal) =>
                LoginFailure.UnknownRoleId,
            _ => LoginFailure.Other,
        };
    }

    private async Task<LoginFailure> ProbeRoleIdAsync(string roleId, CancellationToken cancellationToken)
    {
        var body = JsonBody(w => w.WriteString("role_id", roleId));
        var r = await SendAsync(VaultOperation.Login, HttpMethod.Post, LoginPath, null, body, [], cancellationToken)
            .ConfigureAwait(false);
        var text = string.Join(" ", r.Errors).ToLowerInvariant();
        return r.Status switch
        {
            400 when text.Contains("missing secret_id", StringComparison.Ordinal) => LoginFailure.InvalidSecretId,
            400 or 403 when text.Contains("invalid role", StringComparison.Ordinal) => LoginFailure.UnknownRoleId,
            _ => LoginFailure.Other,
        };
    }

    private async Task<VaultResponse> SendAsync(
        VaultOperation operation, HttpMethod method, string pathAndQuery, string? token, byte[]? body,
        IReadOnlyList<string> sensitive, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Address, "v1/" + pathAndQuery));
        request.Headers.TryAddWithoutValidation("X-Vault-Request", "true");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        }

        // sys/health is served by the root namespace only.
        if (Namespace is not null && operation != VaultOperation.Health)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", Namespace);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = s_json;
        }

        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token)
                .ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return VaultResponse.Create((int)response.StatusCode, bytes, RetryAfter(response), response.Headers.Location);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException
            && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Our own per-request timeout fired; depending on the stage (connect, send, read) it surfaces as a
            // cancellation or as an aborted connection.
            throw VaultErrors.TimedOut(operation, Address, RequestTimeout, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw VaultErrors.FromTransport(operation, Address, ex);
        }
        finally
        {
            // The body may hold the secret_id or plaintext: do not leave it in memory longer than needed.
            if (body is not null)
            {
                CryptographicOperations.ZeroMemory(body);
            }
        }

        TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
            _ => null,
        };
    }

    private static VaultAuth ParseAuth(VaultOperation operation, string path, VaultResponse r)
    {
        if (r.Body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("auth", out var auth)
            || auth.ValueKind != JsonValueKind.Object || GetString(auth, "client_token") is not { Length: > 0 } token)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"OpenBao's answer to {VaultErrors.Describe(operation)} at {path} has no auth.client_token.");
        }

        var policies = GetStrings(auth, "token_policies");
        return new VaultAuth
        {
            ClientToken = token,
            Accessor = GetString(auth, "accessor"),
            Policies = policies.IsEmpty ? GetStrings(auth, "policies") : policies,
            LeaseDuration = Seconds(auth, "lease_duration"),
            Renewable = GetBool(auth, "renewable"),
        };
    }

    private static JsonElement? Data(VaultResponse r) =>
        r.Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
            ? d
            : null;

    private static byte[] JsonBody(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var bytes = buffer.WrittenSpan.ToArray();
        buffer.Clear();
        return bytes;
    }

    private static bool GetBool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ImmutableArray<string> GetStrings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];

    // Vault durations are whole seconds (some fields are strings such as "1h" in requests, never in these answers).
    private static TimeSpan Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.Zero;
}

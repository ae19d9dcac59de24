using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.Tests.AwsKms.Support;

/// <summary>
/// A raw KMS/STS client over real HTTP, signing with <see cref="TestSigner"/> at the emulator's clock (so a manual
/// clock needs no real waiting). <c>mutate</c> lets a test damage the request after signing, <c>beforeSigning</c>
/// change it before (every x-amz-* header present then is signed).
/// </summary>
internal sealed class AwsApi(Uri baseAddress, string region, TimeProvider clock) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Task<AwsReply> KmsAsync(string operation, JsonObject body, AwsCredentials? credentials,
        TimeSpan? clockOffset = null, string? scopeRegion = null, string scopeService = "kms", Action<HttpRequestMessage>? mutate = null,
        Action<HttpRequestMessage>? beforeSigning = null) =>
        KmsRawAsync(operation, body.ToJsonString(), credentials, clockOffset, scopeRegion, scopeService, mutate, beforeSigning);

    /// <summary>A KMS call with a body of any text (also not JSON), correctly signed.</summary>
    public Task<AwsReply> KmsRawAsync(string operation, string body, AwsCredentials? credentials,
        TimeSpan? clockOffset = null, string? scopeRegion = null, string scopeService = "kms", Action<HttpRequestMessage>? mutate = null,
        Action<HttpRequestMessage>? beforeSigning = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "/")) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService." + operation);
        return SendAsync(request, bytes, credentials, clockOffset, scopeRegion ?? region, scopeService, mutate, beforeSigning);
    }

    public Task<AwsReply> StsAsync(IReadOnlyDictionary<string, string> parameters, AwsCredentials? credentials,
        TimeSpan? clockOffset = null, string scopeService = "sts", Action<HttpRequestMessage>? mutate = null,
        Action<HttpRequestMessage>? beforeSigning = null)
    {
        var form = string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var bytes = Encoding.UTF8.GetBytes(form);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "/")) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        return SendAsync(request, bytes, credentials, clockOffset, region, scopeService, mutate, beforeSigning);
    }

    public Task<AwsReply> AssumeRoleAsync(AwsCredentials credentials, string roleArn, string? externalId, string sessionName = "openkcm-test",
        int? durationSeconds = null)
    {
        var parameters = new Dictionary<string, string>
        {
            ["Action"] = "AssumeRole",
            ["Version"] = "2011-06-15",
            ["RoleArn"] = roleArn,
            ["RoleSessionName"] = sessionName,
        };
        if (externalId is not null)
        {
            parameters["ExternalId"] = externalId;
        }

        if (durationSeconds is { } duration)
        {
            parameters["DurationSeconds"] = duration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return StsAsync(parameters, credentials);
    }

    public Task<AwsReply> CallerIdentityAsync(AwsCredentials credentials) =>
        StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" }, credentials);

    public void Dispose() => _http.Dispose();

    private async Task<AwsReply> SendAsync(HttpRequestMessage request, byte[] body, AwsCredentials? credentials, TimeSpan? clockOffset,
        string scopeRegion, string scopeService, Action<HttpRequestMessage>? mutate, Action<HttpRequestMessage>? beforeSigning)
    {
        using (request)
        {
            beforeSigning?.Invoke(request);
            if (credentials is not null)
            {
                TestSigner.Sign(request, body, credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken,
                    scopeRegion, scopeService, clock.GetUtcNow() + (clockOffset ?? TimeSpan.Zero));
            }

            mutate?.Invoke(request);
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.Single() : null;
            return new AwsReply(response.StatusCode, text, requestId, response.Content.Headers.ContentType?.MediaType);
        }
    }
}

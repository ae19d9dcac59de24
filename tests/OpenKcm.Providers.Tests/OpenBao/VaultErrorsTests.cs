using System.Text;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>Status + <c>{"errors":[...]}</c> to typed failures, for the answers the emulator does not produce on demand.</summary>
public sealed class VaultErrorsTests
{
    private static VaultResponse Answer(int status, string? body = null, TimeSpan? retryAfter = null, Uri? location = null) =>
        VaultResponse.Create(status, body is null ? [] : Encoding.UTF8.GetBytes(body), retryAfter, location);

    private static VaultResponse Errors(int status, params string[] errors) =>
        Answer(status, "{\"errors\":[" + string.Join(',', errors.Select(e => $"\"{e}\"")) + "]}");

    [Theory]
    [InlineData("Encrypt", 403, KeystoreErrorKind.PermissionDenied)]
    [InlineData("Login", 403, KeystoreErrorKind.AuthenticationFailed)]
    [InlineData("Login", 400, KeystoreErrorKind.AuthenticationFailed)]
    [InlineData("ReadKey", 404, KeystoreErrorKind.KeyNotFound)]
    [InlineData("LookupSelf", 404, KeystoreErrorKind.InvalidResponse)]
    [InlineData("Encrypt", 429, KeystoreErrorKind.Throttled)]
    [InlineData("Encrypt", 500, KeystoreErrorKind.Unavailable)]
    [InlineData("Encrypt", 502, KeystoreErrorKind.Unavailable)]
    [InlineData("Encrypt", 503, KeystoreErrorKind.Unavailable)]
    [InlineData("Decrypt", 400, KeystoreErrorKind.InvalidResponse)]
    [InlineData("Encrypt", 418, KeystoreErrorKind.InvalidResponse)]
    public void FromResponse_Status_MapsToKind(string operation, int status, KeystoreErrorKind kind)
    {
        var ex = VaultErrors.FromResponse(Enum.Parse<VaultOperation>(operation), "openkcm-keys/encrypt/customer-master-key", Errors(status, "something"), []);

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.VendorCode);
    }

    [Fact]
    public void FromResponse_Forbidden_NamesCapabilityAndPath()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.Encrypt, "openkcm-keys/encrypt/customer-master-key", Errors(403, "permission denied"), []);

        Assert.Equal("update on openkcm-keys/encrypt/customer-master-key", ex.Permission);
        Assert.Contains("'update' on 'openkcm-keys/encrypt/customer-master-key'", ex.Message);
    }

    [Fact]
    public void FromResponse_RateLimited_CarriesRetryAfter()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.Encrypt, "p", Answer(429, "{\"errors\":[\"rate limit quota exceeded\"]}", TimeSpan.FromSeconds(3)), []);

        Assert.Equal(KeystoreErrorKind.Throttled, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), ex.RetryAfter);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public void FromResponse_EncryptionKeyNotFound_IsKeyNotFound()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.Decrypt, "m/decrypt/k", Errors(400, "encryption key not found"), []);

        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
    }

    [Fact]
    public void FromResponse_NoRouteForKey_SaysNoEngineIsMounted()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.ReadKey, "nomount/keys/k", Errors(404, "no handler for route 'nomount/keys/k'. route entry not found."), []);

        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
        Assert.Contains("No secrets engine is mounted", ex.Message);
    }

    [Fact]
    public void FromResponse_RedirectFromStandby_IsUnavailableNamingTheTarget()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.Encrypt, "p", Answer(307, null, null, new Uri("https://active.internal:8200/v1/p")), []);

        Assert.Equal(KeystoreErrorKind.Unavailable, ex.Kind);
        Assert.Contains("https://active.internal:8200", ex.Message);
    }

    [Fact]
    public void FromResponse_HtmlInsteadOfJson_IsInvalidResponse()
    {
        var ex = VaultErrors.FromResponse(VaultOperation.Health, "sys/health", Answer(200, "<html>login</html>"), []);

        Assert.Equal(KeystoreErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("not OpenBao's JSON", ex.Message);
    }

    [Fact]
    public void FromResponse_ServerEchoesASecret_RedactsIt()
    {
        const string SecretId = "8489b1a4-6c1d-4b40-9d9e-1f3a4e2b7c11";

        var ex = VaultErrors.FromResponse(VaultOperation.Login, "auth/approle/login", Errors(400, $"invalid secret_id \\\"{SecretId}\\\""), [SecretId]);

        Assert.DoesNotContain(SecretId, ex.Message);
        Assert.Contains("***", ex.Message);
    }
}

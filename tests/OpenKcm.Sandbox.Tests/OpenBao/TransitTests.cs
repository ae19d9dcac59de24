using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class TransitTests : SandboxTest
{
    private const string Mount = OpenBaoEmulator.MountPath;
    private const string Key = OpenBaoEmulator.KeyName;

    [Fact]
    public async Task EncryptDecrypt_RoundTripsPlaintext()
    {
        var plaintext = Convert.ToBase64String(Encoding.UTF8.GetBytes("tenant key material"));

        var ciphertext = await EncryptAsync(plaintext);
        var decrypted = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = ciphertext }, Root);

        Assert.Equal(plaintext, decrypted.Data["plaintext"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ciphertext_IsVersionPrefixPlusNonceCiphertextAndTag()
    {
        var plaintext = new byte[37];

        var reply = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}",
            new JsonObject { ["plaintext"] = Convert.ToBase64String(plaintext) }, Root);

        var ciphertext = reply.Data["ciphertext"]!.GetValue<string>();
        Assert.StartsWith("vault:v1:", ciphertext, StringComparison.Ordinal);
        Assert.Equal(1, reply.Data["key_version"]!.GetValue<int>());
        var sealedBytes = Convert.FromBase64String(ciphertext["vault:v1:".Length..]);
        Assert.Equal(12 + plaintext.Length + 16, sealedBytes.Length);
    }

    [Fact]
    public async Task Encrypt_SamePlaintextTwice_UsesFreshNonces()
    {
        var first = await EncryptAsync("aGk=");
        var second = await EncryptAsync("aGk=");

        Assert.NotEqual(first[..(9 + 16)], second[..(9 + 16)]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(30)]
    public async Task Decrypt_TamperedByte_Answers400AuthenticationFailed(int offset)
    {
        var ciphertext = await EncryptAsync("c2VjcmV0IGRhdGE=");
        var bytes = Convert.FromBase64String(ciphertext["vault:v1:".Length..]);
        bytes[offset] ^= 0x01;

        var reply = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = "vault:v1:" + Convert.ToBase64String(bytes) }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["cipher: message authentication failed"], reply.Errors);
    }

    [Fact]
    public async Task AssociatedData_MustMatchToDecrypt()
    {
        var aad = Convert.ToBase64String(Encoding.UTF8.GetBytes("tenant-42"));
        var encrypted = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}",
            new JsonObject { ["plaintext"] = "aGk=", ["associated_data"] = aad }, Root);
        var ciphertext = encrypted.Data["ciphertext"]!.GetValue<string>();

        var right = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = ciphertext, ["associated_data"] = aad }, Root);
        var wrong = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = ciphertext, ["associated_data"] = "b3RoZXI=" }, Root);
        var missing = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = ciphertext }, Root);

        Assert.Equal("aGk=", right.Data["plaintext"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
    }

    [Theory]
    [InlineData("{}", "missing plaintext to encrypt")]
    [InlineData("""{"plaintext":"not base64!"}""", "illegal base64 data in plaintext")]
    [InlineData("""{"plaintext":"aGk=","key_version":2}""", "requested version for encryption is higher than the latest key version")]
    public async Task Encrypt_BadInput_Answers400(string body, string error)
    {
        var reply = await Api.SendAsync("POST", $"v1/{Mount}/encrypt/{Key}", body, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Theory]
    [InlineData("{}", "missing ciphertext to decrypt")]
    [InlineData("""{"ciphertext":"v1:abc"}""", "invalid ciphertext: no prefix")]
    [InlineData("""{"ciphertext":"vault:v9:aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="}""", "invalid ciphertext: version is too new")]
    [InlineData("""{"ciphertext":"vault:v1:!!!"}""", "invalid ciphertext: could not decode base64")]
    [InlineData("""{"ciphertext":"vault:v1:aGk="}""", "invalid ciphertext length")]
    public async Task Decrypt_BadInput_Answers400(string body, string error)
    {
        var reply = await Api.SendAsync("POST", $"v1/{Mount}/decrypt/{Key}", body, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task Decrypt_UnknownKey_Answers400()
    {
        var reply = await Api.PostAsync($"v1/{Mount}/decrypt/absent", new JsonObject { ["ciphertext"] = "vault:v1:aGk=" }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["encryption key not found"], reply.Errors);
    }

    [Fact]
    public async Task ReadKey_DescribesKeyWithoutMaterial()
    {
        var reply = await Api.GetAsync($"v1/{Mount}/keys/{Key}", Root);

        var data = reply.Data;
        Assert.Equal(Key, data["name"]!.GetValue<string>());
        Assert.Equal("aes256-gcm96", data["type"]!.GetValue<string>());
        Assert.Equal(1, data["latest_version"]!.GetValue<int>());
        Assert.Equal(1, data["min_decryption_version"]!.GetValue<int>());
        Assert.Equal(0, data["min_encryption_version"]!.GetValue<int>());
        Assert.False(data["deletion_allowed"]!.GetValue<bool>());
        Assert.False(data["exportable"]!.GetValue<bool>());
        Assert.True(data["supports_encryption"]!.GetValue<bool>());
        Assert.True(data["supports_decryption"]!.GetValue<bool>());
        Assert.False(data["supports_signing"]!.GetValue<bool>());
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeSeconds(), data["keys"]!["1"]!.GetValue<long>());
        Assert.DoesNotContain(data, pair => pair.Value is JsonValue v && v.TryGetValue(out string? s) && s.Length >= 40);
    }

    [Fact]
    public async Task CreateKey_Existing_KeepsKeyAndWarns()
    {
        var before = await EncryptAsync("aGk=");

        var reply = await Api.PostAsync($"v1/{Mount}/keys/{Key}", token: Root);
        var decrypted = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = before }, Root);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal([$"key {Key} already existed"], reply.Warnings);
        Assert.Equal(HttpStatusCode.OK, decrypted.Status);
    }

    [Theory]
    [InlineData("rsa-2048", "key type rsa-2048 is not supported by the sandbox emulator (aes256-gcm96 and aes128-gcm96 are)")]
    [InlineData("made-up", "unknown key type made-up")]
    public async Task CreateKey_UnsupportedType_Answers400(string type, string error)
    {
        var reply = await Api.PostAsync($"v1/{Mount}/keys/k", new JsonObject { ["type"] = type }, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task ListKeys_ListVerbAndQueryFlag_ReturnKeyNames()
    {
        await Api.PostAsync($"v1/{Mount}/keys/a-key", new JsonObject { ["type"] = "aes128-gcm96" }, Root);

        var list = await Api.ListAsync($"v1/{Mount}/keys", Root);
        var query = await Api.GetAsync($"v1/{Mount}/keys?list=true", Root);

        Assert.Equal(["a-key", Key], list.Data["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(list.Data.ToJsonString(), query.Data.ToJsonString());
    }

    [Fact]
    public async Task ListKeys_EmptyMount_Answers404()
    {
        await Api.PostAsync("v1/sys/mounts/empty", new JsonObject { ["type"] = "transit" }, Root);

        var reply = await Api.ListAsync("v1/empty/keys", Root);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
    }

    [Fact]
    public async Task Rotate_NewCiphertextsUseV2AndOldOnesStillDecrypt()
    {
        var v1 = await EncryptAsync("b2xk");

        var rotated = await Api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: Root);
        var v2 = await EncryptAsync("bmV3");
        var oldDecrypted = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = v1 }, Root);
        var explicitV1 = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=", ["key_version"] = 1 }, Root);

        Assert.Equal(2, rotated.Data["latest_version"]!.GetValue<int>());
        Assert.StartsWith("vault:v2:", v2, StringComparison.Ordinal);
        Assert.Equal("b2xk", oldDecrypted.Data["plaintext"]!.GetValue<string>());
        Assert.StartsWith("vault:v1:", explicitV1.Data["ciphertext"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MinDecryptionVersion_RefusesOlderCiphertexts()
    {
        var v1 = await EncryptAsync("b2xk");
        await Api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: Root);

        var config = await Api.PostAsync($"v1/{Mount}/keys/{Key}/config", new JsonObject { ["min_decryption_version"] = 2 }, Root);
        var reply = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = v1 }, Root);

        Assert.Equal(2, config.Data["min_decryption_version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["ciphertext or signature version is disallowed by policy (too old)"], reply.Errors);
    }

    [Theory]
    [InlineData("""{"min_decryption_version": 5}""", "cannot set min decryption version of 5, latest key version is 1")]
    [InlineData("""{"min_encryption_version": -1}""", "min encryption version cannot be negative")]
    public async Task Config_OutOfRangeVersion_Answers400(string body, string error)
    {
        var reply = await Api.SendAsync("POST", $"v1/{Mount}/keys/{Key}/config", body, Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
    }

    [Fact]
    public async Task DeleteKey_NeedsDeletionAllowed()
    {
        var refused = await Api.DeleteAsync($"v1/{Mount}/keys/{Key}", Root);
        await Api.PostAsync($"v1/{Mount}/keys/{Key}/config", new JsonObject { ["deletion_allowed"] = true }, Root);
        var deleted = await Api.DeleteAsync($"v1/{Mount}/keys/{Key}", Root);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([$"error deleting policy {Key}: deletion is not allowed for this policy"], refused.Errors);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"v1/{Mount}/keys/{Key}", Root)).Status);
    }

    [Fact]
    public async Task BatchEncryptDecrypt_ReportsPerItemResultsAndReferences()
    {
        var encrypted = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject
        {
            ["batch_input"] = new JsonArray(
                new JsonObject { ["plaintext"] = "b25l", ["reference"] = "one" },
                new JsonObject { ["plaintext"] = "dHdv", ["reference"] = "two" }),
        }, Root);
        var results = encrypted.Data["batch_results"]!.AsArray();
        var decrypted = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject
        {
            ["batch_input"] = new JsonArray(
                new JsonObject { ["ciphertext"] = results[0]!["ciphertext"]!.DeepClone() },
                new JsonObject { ["ciphertext"] = "vault:v1:broken" }),
        }, Root);

        Assert.Equal(HttpStatusCode.OK, encrypted.Status);
        Assert.Equal(["one", "two"], results.Select(r => r!["reference"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, decrypted.Status);
        var decryptions = decrypted.Data["batch_results"]!.AsArray();
        Assert.Equal("b25l", decryptions[0]!["plaintext"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(decryptions[1]!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DataKey_Plaintext_ReturnsKeyAndItsWrappedForm()
    {
        var reply = await Api.PostAsync($"v1/{Mount}/datakey/plaintext/{Key}", token: Root);
        var unwrapped = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = reply.Data["ciphertext"]!.DeepClone() }, Root);

        Assert.Equal(32, Convert.FromBase64String(reply.Data["plaintext"]!.GetValue<string>()).Length);
        Assert.Equal(reply.Data["plaintext"]!.GetValue<string>(), unwrapped.Data["plaintext"]!.GetValue<string>());
    }

    [Fact]
    public async Task DataKey_Wrapped_OmitsPlaintext()
    {
        var reply = await Api.PostAsync($"v1/{Mount}/datakey/wrapped/{Key}", token: Root);

        Assert.Null(reply.Data["plaintext"]);
        Assert.StartsWith("vault:v1:", reply.Data["ciphertext"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewrap_MovesCiphertextToLatestVersion()
    {
        var v1 = await EncryptAsync("aGk=");
        await Api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: Root);

        var rewrapped = await Api.PostAsync($"v1/{Mount}/rewrap/{Key}", new JsonObject { ["ciphertext"] = v1 }, Root);
        var decrypted = await Api.PostAsync($"v1/{Mount}/decrypt/{Key}",
            new JsonObject { ["ciphertext"] = rewrapped.Data["ciphertext"]!.DeepClone() }, Root);

        Assert.StartsWith("vault:v2:", rewrapped.Data["ciphertext"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("aGk=", decrypted.Data["plaintext"]!.GetValue<string>());
    }

    private async Task<string> EncryptAsync(string plaintext)
    {
        var reply = await Api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = plaintext }, Root);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Data["ciphertext"]!.GetValue<string>();
    }
}

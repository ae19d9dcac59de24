using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Tests.AwsKms.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>KMS operations with the seeded role's session (and an admin user where the role may not), over real HTTP.</summary>
public sealed class KmsOperationTests : AwsKmsTest
{
    private static readonly string s_plaintext = Convert.ToBase64String(Encoding.UTF8.GetBytes("tenant L2 key"));

    private AwsCredentials _session = null!;
    private AwsCredentials _admin = null!;

    private async Task SetUpAsync()
    {
        _session = await AssumeSeedRoleAsync();
        _admin = AwsCredentials.From(Aws.Admin.CreateUser("kms-admin", ["kms:*"]));
    }

    private Task<AwsReply> KmsAsync(string operation, JsonObject body) => Api.KmsAsync(operation, body, _session);

    private static JsonObject Context(string tenant) => new() { ["tenant"] = tenant, ["purpose"] = "l2-wrap" };

    [Fact]
    public async Task DescribeKey_SeededKey_ReturnsMetadataInTheModelsShape()
    {
        await SetUpAsync();

        var metadata = (await KmsOkAsync("DescribeKey", new JsonObject { ["KeyId"] = Aws.KeyId }, _session))["KeyMetadata"]!;

        Assert.Equal(Aws.KeyArn, metadata["Arn"]!.GetValue<string>());
        Assert.Equal(Aws.KeyId, metadata["KeyId"]!.GetValue<string>());
        Assert.Equal("111122223333", metadata["AWSAccountId"]!.GetValue<string>());
        Assert.True(metadata["Enabled"]!.GetValue<bool>());
        Assert.Equal("Enabled", metadata["KeyState"]!.GetValue<string>());
        Assert.Equal("ENCRYPT_DECRYPT", metadata["KeyUsage"]!.GetValue<string>());
        Assert.Equal("SYMMETRIC_DEFAULT", metadata["KeySpec"]!.GetValue<string>());
        Assert.Equal("AWS_KMS", metadata["Origin"]!.GetValue<string>());
        Assert.Equal("SYMMETRIC_DEFAULT", metadata["EncryptionAlgorithms"]![0]!.GetValue<string>());
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeSeconds(), metadata["CreationDate"]!.GetValue<double>());
    }

    [Fact]
    public async Task DescribeKey_EveryKeyIdForm_ResolvesTheSameKey()
    {
        await SetUpAsync();
        foreach (var keyId in new[] { Aws.KeyId, Aws.KeyArn, Aws.AliasName, "arn:aws:kms:us-east-1:111122223333:alias/openkcm-l1" })
        {
            var metadata = (await KmsOkAsync("DescribeKey", new JsonObject { ["KeyId"] = keyId }, _session))["KeyMetadata"]!;
            Assert.Equal(Aws.KeyArn, metadata["Arn"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-west-1:111122223333:key/{id}", "NotFoundException", "Key 'arn:aws:kms:eu-west-1:111122223333:key/{id}' does not exist")]
    [InlineData("arn:aws:kms:us-east-1:444455556666:key/{id}", "NotFoundException", "Key 'arn:aws:kms:us-east-1:444455556666:key/{id}' does not exist")]
    [InlineData("alias/no-such-alias", "NotFoundException", "Alias 'arn:aws:kms:us-east-1:111122223333:alias/no-such-alias' is not found.")]
    [InlineData("11111111-2222-3333-4444-555555555555", "NotFoundException", "Key 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555' does not exist")]
    [InlineData("not-a-key-id", "NotFoundException", "Invalid keyId 'not-a-key-id'")]
    [InlineData("arn:aws:kms:us-east-1", "InvalidArnException", null)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:secret/{id}", "InvalidArnException", null)]
    public async Task DescribeKey_UnknownOrMalformed_IsTheErrorAwsGives(string keyId, string type, string? message)
    {
        await SetUpAsync();

        var reply = await KmsAsync("DescribeKey", new JsonObject { ["KeyId"] = keyId.Replace("{id}", Aws.KeyId, StringComparison.Ordinal) });

        AssertKmsError(reply, HttpStatusCode.BadRequest, type, message?.Replace("{id}", Aws.KeyId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeKey_NoKeyId_IsValidationException()
    {
        await SetUpAsync();

        AssertKmsError(await KmsAsync("DescribeKey", []), HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task EncryptDecrypt_WithEncryptionContext_RoundTrips()
    {
        await SetUpAsync();

        var encrypted = await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.AliasName, ["Plaintext"] = s_plaintext, ["EncryptionContext"] = Context("t1") }, _session);
        var decrypted = await KmsOkAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = encrypted["CiphertextBlob"]!.DeepClone(), ["EncryptionContext"] = Context("t1") }, _session);

        Assert.Equal(Aws.KeyArn, encrypted["KeyId"]!.GetValue<string>());
        Assert.Equal("SYMMETRIC_DEFAULT", encrypted["EncryptionAlgorithm"]!.GetValue<string>());
        Assert.Equal(s_plaintext, decrypted["Plaintext"]!.GetValue<string>());
        Assert.Equal(Aws.KeyArn, decrypted["KeyId"]!.GetValue<string>());
        Assert.DoesNotContain("tenant L2 key", Encoding.UTF8.GetString(Convert.FromBase64String(encrypted["CiphertextBlob"]!.GetValue<string>())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decrypt_DifferentOrMissingEncryptionContext_IsInvalidCiphertextException()
    {
        await SetUpAsync();
        var blob = (await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext, ["EncryptionContext"] = Context("t1") }, _session))["CiphertextBlob"]!;

        var other = await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob.DeepClone(), ["EncryptionContext"] = Context("t2") });
        var missing = await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob.DeepClone() });

        AssertKmsError(other, HttpStatusCode.BadRequest, "InvalidCiphertextException");
        AssertKmsError(missing, HttpStatusCode.BadRequest, "InvalidCiphertextException");
    }

    [Fact]
    public async Task Decrypt_TamperedOrForeignBlob_IsInvalidCiphertextException()
    {
        await SetUpAsync();
        var blob = Convert.FromBase64String((await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext }, _session))["CiphertextBlob"]!.GetValue<string>());
        blob[^1] ^= 1;

        var tampered = await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = Convert.ToBase64String(blob) });
        var foreign = await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = Convert.ToBase64String(new byte[64]) });

        AssertKmsError(tampered, HttpStatusCode.BadRequest, "InvalidCiphertextException");
        AssertKmsError(foreign, HttpStatusCode.BadRequest, "InvalidCiphertextException");
    }

    [Fact]
    public async Task Decrypt_BlobFromAnotherEmulator_IsInvalidCiphertextException()
    {
        await SetUpAsync();
        await using var other = await OpenKcm.Sandbox.AwsKms.AwsKmsEmulator.StartAsync(new() { TimeProvider = Clock }, CancellationToken.None);
        using var otherApi = new AwsApi(other.BaseAddress, other.Region, Clock);
        var otherSession = await otherApi.AssumeRoleAsync(AwsCredentials.From(other.ConsoleAccessKey), other.RoleArn, other.ExternalId);
        var credentials = new AwsCredentials(otherSession.StsValue("AccessKeyId"), otherSession.StsValue("SecretAccessKey"), otherSession.StsValue("SessionToken"));
        var foreignBlob = (await otherApi.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = other.KeyArn, ["Plaintext"] = s_plaintext }, credentials)).Json["CiphertextBlob"]!;

        AssertKmsError(await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = foreignBlob.DeepClone() }), HttpStatusCode.BadRequest, "InvalidCiphertextException");
    }

    [Fact]
    public async Task Decrypt_KeyIdOfAnotherKey_IsIncorrectKeyException()
    {
        await SetUpAsync();
        var otherKey = Aws.Admin.CreateKey();
        var blob = (await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext }, _session))["CiphertextBlob"]!;

        var reply = await Api.KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob.DeepClone(), ["KeyId"] = otherKey }, _admin);

        AssertKmsError(reply, HttpStatusCode.BadRequest, "IncorrectKeyException");
    }

    [Theory]
    [InlineData(0, "Member must have length greater than or equal to 1")]
    [InlineData(4097, "Member must have length less than or equal to 4096")]
    public async Task Encrypt_PlaintextOutOfRange_IsValidationException(int length, string expected)
    {
        await SetUpAsync();

        var reply = await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = Convert.ToBase64String(new byte[length]) });

        AssertKmsError(reply, HttpStatusCode.BadRequest, "ValidationException");
        Assert.Contains(expected, reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encrypt_BadInput_IsSerializationException()
    {
        await SetUpAsync();

        AssertKmsError(await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = "not base64!" }), HttpStatusCode.BadRequest, "SerializationException");
        AssertKmsError(await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = 42, ["Plaintext"] = s_plaintext }), HttpStatusCode.BadRequest, "SerializationException");
        AssertKmsError(await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext, ["EncryptionContext"] = new JsonObject { ["a"] = 1 } }),
            HttpStatusCode.BadRequest, "SerializationException");
    }

    [Fact]
    public async Task GenerateDataKey_KeySpecOrNumberOfBytes_ReturnsPlaintextAndDecryptableBlob()
    {
        await SetUpAsync();

        var aes256 = await KmsOkAsync("GenerateDataKey", new JsonObject { ["KeyId"] = Aws.AliasName, ["KeySpec"] = "AES_256", ["EncryptionContext"] = Context("t1") }, _session);
        var aes128 = await KmsOkAsync("GenerateDataKey", new JsonObject { ["KeyId"] = Aws.KeyArn, ["KeySpec"] = "AES_128" }, _session);
        var bytes = await KmsOkAsync("GenerateDataKey", new JsonObject { ["KeyId"] = Aws.KeyArn, ["NumberOfBytes"] = 64 }, _session);
        var unwrapped = await KmsOkAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = aes256["CiphertextBlob"]!.DeepClone(), ["EncryptionContext"] = Context("t1") }, _session);

        Assert.Equal(32, Convert.FromBase64String(aes256["Plaintext"]!.GetValue<string>()).Length);
        Assert.Equal(16, Convert.FromBase64String(aes128["Plaintext"]!.GetValue<string>()).Length);
        Assert.Equal(64, Convert.FromBase64String(bytes["Plaintext"]!.GetValue<string>()).Length);
        Assert.Equal(aes256["Plaintext"]!.GetValue<string>(), unwrapped["Plaintext"]!.GetValue<string>());
        Assert.Equal(Aws.KeyArn, aes256["KeyId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, null, "Please specify either number of bytes or key spec.")]
    [InlineData(32, "AES_256", "Please specify either number of bytes or key spec.")]
    [InlineData(1025, null, "Member must have value less than or equal to 1024")]
    [InlineData(0, null, "Member must have value greater than or equal to 1")]
    [InlineData(null, "AES_512", "Member must satisfy enum value set: [AES_256, AES_128]")]
    public async Task GenerateDataKey_InvalidSize_IsValidationException(int? numberOfBytes, string? keySpec, string expected)
    {
        await SetUpAsync();
        var body = new JsonObject { ["KeyId"] = Aws.KeyArn };
        if (numberOfBytes is { } n)
        {
            body["NumberOfBytes"] = n;
        }

        if (keySpec is not null)
        {
            body["KeySpec"] = keySpec;
        }

        var reply = await KmsAsync("GenerateDataKey", body);

        AssertKmsError(reply, HttpStatusCode.BadRequest, "ValidationException");
        Assert.Contains(expected, reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Disabled", "DisabledException", "{arn} is disabled.")]
    [InlineData("PendingDeletion", "KMSInvalidStateException", "{arn} is pending deletion.")]
    [InlineData("PendingImport", "KMSInvalidStateException", "{arn} is pending import.")]
    public async Task CryptoOperations_KeyNotEnabled_AreRefusedButDescribeKeyShowsTheState(string state, string type, string message)
    {
        await SetUpAsync();
        var blob = (await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext }, _session))["CiphertextBlob"]!;
        Aws.Admin.SetKeyState(Aws.KeyArn, state);
        var expected = message.Replace("{arn}", Aws.KeyArn, StringComparison.Ordinal);

        AssertKmsError(await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext }), HttpStatusCode.BadRequest, type, expected);
        AssertKmsError(await KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob.DeepClone() }), HttpStatusCode.BadRequest, type, expected);
        AssertKmsError(await KmsAsync("GenerateDataKey", new JsonObject { ["KeyId"] = Aws.KeyArn, ["KeySpec"] = "AES_256" }), HttpStatusCode.BadRequest, type, expected);
        var metadata = (await KmsOkAsync("DescribeKey", new JsonObject { ["KeyId"] = Aws.KeyArn }, _session))["KeyMetadata"]!;
        Assert.Equal(state, metadata["KeyState"]!.GetValue<string>());
        Assert.False(metadata["Enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Encrypt_SignVerifyKey_IsInvalidKeyUsageException()
    {
        await SetUpAsync();
        var signing = Aws.Admin.CreateKey("SIGN_VERIFY", "RSA_2048");

        var reply = await Api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = signing, ["Plaintext"] = s_plaintext }, _admin);
        var metadata = (await KmsOkAsync("DescribeKey", new JsonObject { ["KeyId"] = signing }, _admin))["KeyMetadata"]!;

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidKeyUsageException", $"{signing} key usage is SIGN_VERIFY which is not valid for Encrypt.");
        Assert.Equal("SIGN_VERIFY", metadata["KeyUsage"]!.GetValue<string>());
        Assert.Equal("RSA_2048", metadata["KeySpec"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rsa2048EncryptDecryptKey_RoundTripsWithOaepAndRefusesSymmetricUse()
    {
        await SetUpAsync();
        var rsa = Aws.Admin.CreateKey("ENCRYPT_DECRYPT", "RSA_2048");

        var encrypted = await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = rsa, ["Plaintext"] = s_plaintext, ["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256" }, _admin);
        var decrypted = await KmsOkAsync("Decrypt", new JsonObject
        {
            ["KeyId"] = rsa, ["CiphertextBlob"] = encrypted["CiphertextBlob"]!.DeepClone(), ["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256",
        }, _admin);
        var symmetric = await Api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = rsa, ["Plaintext"] = s_plaintext }, _admin);
        var dataKey = await Api.KmsAsync("GenerateDataKey", new JsonObject { ["KeyId"] = rsa, ["KeySpec"] = "AES_256" }, _admin);

        Assert.Equal(256, Convert.FromBase64String(encrypted["CiphertextBlob"]!.GetValue<string>()).Length);
        Assert.Equal(s_plaintext, decrypted["Plaintext"]!.GetValue<string>());
        AssertKmsError(symmetric, HttpStatusCode.BadRequest, "InvalidKeyUsageException");
        AssertKmsError(dataKey, HttpStatusCode.BadRequest, "InvalidKeyUsageException");
    }

    [Theory]
    [InlineData("kms:Encrypt", "Encrypt")]
    [InlineData("kms:Decrypt", "Decrypt")]
    [InlineData("kms:GenerateDataKey", "GenerateDataKey")]
    [InlineData("kms:DescribeKey", "DescribeKey")]
    public async Task RoleWithoutAnAction_IsAccessDeniedNamingTheActionAndKey(string action, string operation)
    {
        await SetUpAsync();
        var blob = (await KmsOkAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext }, _session))["CiphertextBlob"]!;
        Aws.Admin.SetRoleActions(Aws.RoleArn, OpenKcm.Sandbox.AwsKms.AwsKmsEmulator.LeastPrivilegeActions.Where(a => a != action));
        var body = operation switch
        {
            "Encrypt" => new JsonObject { ["KeyId"] = Aws.AliasName, ["Plaintext"] = s_plaintext },
            "Decrypt" => new JsonObject { ["CiphertextBlob"] = blob.DeepClone() },
            "GenerateDataKey" => new JsonObject { ["KeyId"] = Aws.KeyArn, ["KeySpec"] = "AES_256" },
            _ => new JsonObject { ["KeyId"] = Aws.KeyArn },
        };

        var reply = await KmsAsync(operation, body);

        AssertKmsError(reply, HttpStatusCode.BadRequest, "AccessDeniedException",
            $"User: arn:aws:sts::111122223333:assumed-role/OpenKcmKeystoreAccess/openkcm-test is not authorized to perform: {action} on resource: {Aws.KeyArn} because no identity-based policy allows the {action} action");
    }

    [Fact]
    public async Task ConsoleUser_HasNoKmsActions_IsAccessDenied()
    {
        var reply = await Api.KmsAsync("DescribeKey", new JsonObject { ["KeyId"] = Aws.KeyArn }, Console);

        AssertKmsError(reply, HttpStatusCode.BadRequest, "AccessDeniedException",
            $"User: arn:aws:iam::111122223333:user/openkcm-console is not authorized to perform: kms:DescribeKey on resource: {Aws.KeyArn} because no identity-based policy allows the kms:DescribeKey action");
    }

    [Fact]
    public async Task ListKeys_WithLimit_PagesWithMarkersUntilNotTruncated()
    {
        await SetUpAsync();
        var created = Enumerable.Range(0, 4).Select(_ => Aws.Admin.CreateKey()).ToList();
        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["Limit"] = 2 };
            if (marker is not null)
            {
                body["Marker"] = marker;
            }

            var page = await KmsOkAsync("ListKeys", body, _admin);
            pages++;
            seen.AddRange(page["Keys"]!.AsArray().Select(k => k!["KeyArn"]!.GetValue<string>()));
            marker = page["Truncated"]!.GetValue<bool>() ? page["NextMarker"]!.GetValue<string>() : null;
            Assert.Equal(marker is null, page["NextMarker"] is null);
        }
        while (marker is not null);

        Assert.Equal(3, pages);
        Assert.Equal([Aws.KeyArn, .. created], seen);
    }

    [Fact]
    public async Task ListKeys_BadMarkerOrLimit_IsRefused()
    {
        await SetUpAsync();

        AssertKmsError(await Api.KmsAsync("ListKeys", new JsonObject { ["Marker"] = "bm8tc3VjaC1rZXk=" }, _admin), HttpStatusCode.BadRequest, "InvalidMarkerException");
        AssertKmsError(await Api.KmsAsync("ListKeys", new JsonObject { ["Limit"] = 1001 }, _admin), HttpStatusCode.BadRequest, "ValidationException");
        AssertKmsError(await Api.KmsAsync("ListKeys", new JsonObject { ["Limit"] = 0 }, _admin), HttpStatusCode.BadRequest, "ValidationException");
    }

    [Fact]
    public async Task ListAliases_ShowsSeededAliasAndFiltersByKey()
    {
        await SetUpAsync();
        var other = Aws.Admin.CreateKey(alias: "alias/second");

        var all = await KmsOkAsync("ListAliases", [], _admin);
        var filtered = await KmsOkAsync("ListAliases", new JsonObject { ["KeyId"] = other }, _admin);

        Assert.Equal(["alias/openkcm-l1", "alias/second"], all["Aliases"]!.AsArray().Select(a => a!["AliasName"]!.GetValue<string>()));
        Assert.Equal(Aws.KeyId, all["Aliases"]![0]!["TargetKeyId"]!.GetValue<string>());
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:alias/openkcm-l1", all["Aliases"]![0]!["AliasArn"]!.GetValue<string>());
        Assert.Equal("alias/second", Assert.Single(filtered["Aliases"]!.AsArray())!["AliasName"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminOperations_CreateDisableEnableScheduleCancel_FollowAwsStateRules()
    {
        await SetUpAsync();
        var created = (await KmsOkAsync("CreateKey", new JsonObject { ["Description"] = "second" }, _admin))["KeyMetadata"]!;
        var arn = created["Arn"]!.GetValue<string>();
        Assert.Equal("Enabled", created["KeyState"]!.GetValue<string>());
        await KmsOkAsync("CreateAlias", new JsonObject { ["AliasName"] = "alias/second", ["TargetKeyId"] = arn }, _admin);
        AssertKmsError(await Api.KmsAsync("CreateAlias", new JsonObject { ["AliasName"] = "alias/second", ["TargetKeyId"] = arn }, _admin),
            HttpStatusCode.BadRequest, "AlreadyExistsException");

        await KmsOkAsync("DisableKey", new JsonObject { ["KeyId"] = "alias/second" }, _admin);
        Assert.Equal("Disabled", Aws.Admin.GetKeyState(arn));
        await KmsOkAsync("EnableKey", new JsonObject { ["KeyId"] = arn }, _admin);
        Assert.Equal("Enabled", Aws.Admin.GetKeyState(arn));

        AssertKmsError(await Api.KmsAsync("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = arn, ["PendingWindowInDays"] = 6 }, _admin),
            HttpStatusCode.BadRequest, "ValidationException");
        var scheduled = await KmsOkAsync("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = arn, ["PendingWindowInDays"] = 7 }, _admin);
        Assert.Equal("PendingDeletion", scheduled["KeyState"]!.GetValue<string>());
        Assert.Equal((Clock.GetUtcNow() + TimeSpan.FromDays(7)).ToUnixTimeSeconds(), scheduled["DeletionDate"]!.GetValue<double>());
        AssertKmsError(await Api.KmsAsync("EnableKey", new JsonObject { ["KeyId"] = arn }, _admin),
            HttpStatusCode.BadRequest, "KMSInvalidStateException", $"{arn} is pending deletion.");

        await KmsOkAsync("CancelKeyDeletion", new JsonObject { ["KeyId"] = arn }, _admin);
        Assert.Equal("Disabled", Aws.Admin.GetKeyState(arn));
        AssertKmsError(await Api.KmsAsync("CancelKeyDeletion", new JsonObject { ["KeyId"] = arn }, _admin),
            HttpStatusCode.BadRequest, "KMSInvalidStateException", $"{arn} is not pending deletion.");
    }

    [Fact]
    public async Task ScheduledKey_AfterItsWindow_IsGone()
    {
        await SetUpAsync();
        var arn = Aws.Admin.CreateKey(alias: "alias/doomed");
        await KmsOkAsync("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = arn, ["PendingWindowInDays"] = 7 }, _admin);

        Clock.Advance(TimeSpan.FromDays(7));

        AssertKmsError(await Api.KmsAsync("DescribeKey", new JsonObject { ["KeyId"] = arn }, _admin), HttpStatusCode.BadRequest, "NotFoundException");
        AssertKmsError(await Api.KmsAsync("DescribeKey", new JsonObject { ["KeyId"] = "alias/doomed" }, _admin), HttpStatusCode.BadRequest, "NotFoundException");
    }

    [Fact]
    public async Task CreateKeyWithExternalOrigin_IsPendingImport()
    {
        await SetUpAsync();

        var metadata = (await KmsOkAsync("CreateKey", new JsonObject { ["Origin"] = "EXTERNAL" }, _admin))["KeyMetadata"]!;

        Assert.Equal("PendingImport", metadata["KeyState"]!.GetValue<string>());
        Assert.Equal("EXTERNAL", metadata["Origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task DryRun_WouldSucceed_IsDryRunOperationException()
    {
        await SetUpAsync();

        var reply = await KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = s_plaintext, ["DryRun"] = true });

        AssertKmsError(reply, HttpStatusCode.PreconditionFailed, "DryRunOperationException");
    }

    [Fact]
    public async Task UnknownOperationOrBadJson_AreRefused()
    {
        await SetUpAsync();

        AssertKmsError(await KmsAsync("Sign", []), HttpStatusCode.BadRequest, "UnknownOperationException");
        AssertKmsError(await Api.KmsRawAsync("DescribeKey", "{not json", _session), HttpStatusCode.BadRequest, "SerializationException");
        AssertKmsError(await Api.KmsRawAsync("DescribeKey", "[1,2]", _session), HttpStatusCode.BadRequest, "SerializationException");
    }
}

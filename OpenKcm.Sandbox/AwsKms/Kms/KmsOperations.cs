using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms.Core;

namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>
/// The KMS operations (<c>X-Amz-Target: TrentService.&lt;Op&gt;</c>) on an authenticated, unthrottled request:
/// key resolution (id, key ARN, alias name, alias ARN), per-principal authorization, key-state and key-usage rules,
/// and the responses in the botocore model's shapes. Thread-safe (state changes under the account's lock).
/// </summary>
internal sealed class KmsOperations(AwsAccount account)
{
    private const string SymmetricDefault = KmsKey.SymmetricDefault;
    private static readonly string[] s_rsaAlgorithms = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];

    public JsonObject Handle(string operation, KmsRequest request, AwsPrincipal principal) => operation switch
    {
        "DescribeKey" => DescribeKey(request, principal),
        "Encrypt" => Encrypt(request, principal),
        "Decrypt" => Decrypt(request, principal),
        "GenerateDataKey" => GenerateDataKey(request, principal, withPlaintext: true),
        "GenerateDataKeyWithoutPlaintext" => GenerateDataKey(request, principal, withPlaintext: false),
        "ListKeys" => ListKeys(request, principal),
        "ListAliases" => ListAliases(request, principal),
        "CreateKey" => CreateKey(request, principal),
        "CreateAlias" => CreateAlias(request, principal),
        "EnableKey" => SetEnabled(request, principal, enable: true),
        "DisableKey" => SetEnabled(request, principal, enable: false),
        "ScheduleKeyDeletion" => ScheduleKeyDeletion(request, principal),
        "CancelKeyDeletion" => CancelKeyDeletion(request, principal),
        _ => throw new AwsException(400, "UnknownOperationException", null),
    };

    /// <summary>Resolves a KeyId (key id, key ARN, alias name, alias ARN) in this account and region.</summary>
    public KmsKey Resolve(string keyId)
    {
        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = keyId.Split(':', 6);
            if (parts.Length != 6 || parts[1].Length == 0 || parts[2] != "kms" || parts[3].Length == 0 || parts[4].Length == 0)
            {
                throw new AwsException(400, "InvalidArnException", $"ARN {keyId} is not a valid KMS key or alias ARN");
            }

            var resource = parts[5];
            var isAlias = resource.StartsWith("alias/", StringComparison.Ordinal);
            if (!isAlias && !resource.StartsWith("key/", StringComparison.Ordinal))
            {
                throw new AwsException(400, "InvalidArnException", $"ARN {keyId} is not a valid KMS key or alias ARN");
            }

            if (parts[1] != "aws" || parts[3] != account.Region || parts[4] != account.AccountId)
            {
                throw isAlias ? AliasNotFound(keyId) : KeyNotFound(keyId);
            }

            return isAlias
                ? account.FindKeyByAlias(resource) ?? throw AliasNotFound(keyId)
                : FindById(resource["key/".Length..], keyId);
        }

        if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            return account.FindKeyByAlias(keyId) ?? throw AliasNotFound(account.AliasArn(keyId));
        }

        return FindById(keyId, keyId);
    }

    private KmsKey FindById(string id, string asGiven)
    {
        if (!Guid.TryParseExact(id, "D", out _) && !id.StartsWith("mrk-", StringComparison.Ordinal))
        {
            throw new AwsException(400, "NotFoundException", $"Invalid keyId '{asGiven}'");
        }

        return account.FindKey(id) ?? throw KeyNotFound(account.KeyArn(id));
    }

    private JsonObject DescribeKey(KmsRequest request, AwsPrincipal principal)
    {
        var key = Resolve(request.RequiredString("KeyId"));
        Authorize(principal, "kms:DescribeKey", key.Arn);
        return new JsonObject { ["KeyMetadata"] = account.Locked(() => Metadata(key)) };
    }

    private JsonObject Encrypt(KmsRequest request, AwsPrincipal principal)
    {
        var key = Resolve(request.RequiredString("KeyId"));
        var plaintext = request.Blob("Plaintext", 1, 4096) ?? throw AwsException.KmsValidation(KmsValidation.NotNull("plaintext"));
        var context = request.Map("EncryptionContext");
        var algorithm = request.String("EncryptionAlgorithm");
        Authorize(principal, "kms:Encrypt", key.Arn);
        RequireUsable(key, "Encrypt");
        DryRun(request);
        byte[] blob;
        if (key.IsSymmetric)
        {
            RequireAlgorithm(key, algorithm ?? SymmetricDefault, [SymmetricDefault]);
            blob = KmsCiphertext.Seal(key, plaintext, context);
        }
        else
        {
            algorithm = RequireAlgorithm(key, algorithm, s_rsaAlgorithms);
            NoContextForAsymmetric(context);
            blob = key.Rsa!.Encrypt(plaintext, Padding(algorithm));
        }

        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(blob),
            ["KeyId"] = key.Arn,
            ["EncryptionAlgorithm"] = algorithm ?? SymmetricDefault,
        };
    }

    private JsonObject Decrypt(KmsRequest request, AwsPrincipal principal)
    {
        var blob = request.Blob("CiphertextBlob", 1, 6144) ?? throw AwsException.KmsValidation(KmsValidation.NotNull("ciphertextBlob"));
        var context = request.Map("EncryptionContext");
        var requestedKeyId = request.String("KeyId");
        var algorithm = request.String("EncryptionAlgorithm");
        var requested = requestedKeyId is null ? null : Resolve(requestedKeyId);
        if (requested is { IsSymmetric: false })
        {
            Authorize(principal, "kms:Decrypt", requested.Arn);
            RequireUsable(requested, "Decrypt");
            algorithm = RequireAlgorithm(requested, algorithm, s_rsaAlgorithms);
            NoContextForAsymmetric(context);
            DryRun(request);
            try
            {
                return DecryptResponse(requested, requested.Rsa!.Decrypt(blob, Padding(algorithm)), algorithm);
            }
            catch (CryptographicException)
            {
                throw new AwsException(400, "InvalidCiphertextException", null);
            }
        }

        var key = KmsCiphertext.KeyIdOf(blob) is { } id ? account.FindKey(id) : null;
        if (key is null)
        {
            throw new AwsException(400, "InvalidCiphertextException", null);
        }

        if (requested is not null && requested.KeyId != key.KeyId)
        {
            throw new AwsException(400, "IncorrectKeyException",
                "The key ID in the request does not identify a CMK that can perform this operation.");
        }

        Authorize(principal, "kms:Decrypt", key.Arn);
        RequireUsable(key, "Decrypt");
        RequireAlgorithm(key, algorithm ?? SymmetricDefault, [SymmetricDefault]);
        DryRun(request);
        var plaintext = KmsCiphertext.Open(key, blob, context) ?? throw new AwsException(400, "InvalidCiphertextException", null);
        return DecryptResponse(key, plaintext, SymmetricDefault);
    }

    private static JsonObject DecryptResponse(KmsKey key, byte[] plaintext, string algorithm) => new()
    {
        ["KeyId"] = key.Arn,
        ["Plaintext"] = Convert.ToBase64String(plaintext),
        ["EncryptionAlgorithm"] = algorithm,
    };

    private JsonObject GenerateDataKey(KmsRequest request, AwsPrincipal principal, bool withPlaintext)
    {
        var operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
        var key = Resolve(request.RequiredString("KeyId"));
        var context = request.Map("EncryptionContext");
        var numberOfBytes = request.Int("NumberOfBytes");
        var keySpec = request.String("KeySpec");
        if ((numberOfBytes is null) == (keySpec is null))
        {
            throw AwsException.KmsValidation("Please specify either number of bytes or key spec.");
        }

        if (numberOfBytes is { } n && n is < 1 or > 1024)
        {
            throw AwsException.KmsValidation(KmsValidation.Range("numberOfBytes", n, 1, 1024));
        }

        var length = numberOfBytes ?? keySpec switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            _ => throw AwsException.KmsValidation(KmsValidation.Enum("keySpec", keySpec!, ["AES_256", "AES_128"])),
        };
        Authorize(principal, "kms:" + operation, key.Arn);
        RequireUsable(key, operation);
        if (!key.IsSymmetric)
        {
            throw new AwsException(400, "InvalidKeyUsageException", $"{key.Arn} key spec is {key.KeySpec} which is not valid for {operation}.");
        }

        DryRun(request);
        var dataKey = RandomNumberGenerator.GetBytes(length);
        var response = new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(KmsCiphertext.Seal(key, dataKey, context)),
            ["KeyId"] = key.Arn,
        };
        if (withPlaintext)
        {
            response["Plaintext"] = Convert.ToBase64String(dataKey);
        }

        CryptographicOperations.ZeroMemory(dataKey);
        return response;
    }

    private JsonObject ListKeys(KmsRequest request, AwsPrincipal principal)
    {
        var (limit, marker) = Paging(request);
        Authorize(principal, "kms:ListKeys", "*");
        var keys = account.Keys();
        var (page, next) = Page(keys, k => k.KeyId, limit, marker);
        var response = new JsonObject
        {
            ["Keys"] = new JsonArray(page.Select(k => (JsonNode)new JsonObject { ["KeyId"] = k.KeyId, ["KeyArn"] = k.Arn }).ToArray()),
            ["Truncated"] = next is not null,
        };
        if (next is not null)
        {
            response["NextMarker"] = next;
        }

        return response;
    }

    private JsonObject ListAliases(KmsRequest request, AwsPrincipal principal)
    {
        var keyId = request.String("KeyId");
        var (limit, marker) = Paging(request);
        var filter = keyId is null ? null : Resolve(keyId);
        Authorize(principal, "kms:ListAliases", "*");
        var aliases = account.Aliases().Where(a => filter is null || a.TargetKeyId == filter.KeyId).ToList();
        var (page, next) = Page(aliases, a => a.AliasName, limit, marker);
        var response = new JsonObject
        {
            ["Aliases"] = new JsonArray(page.Select(a => (JsonNode)new JsonObject
            {
                ["AliasName"] = a.AliasName,
                ["AliasArn"] = a.AliasArn,
                ["TargetKeyId"] = a.TargetKeyId,
                ["CreationDate"] = Epoch(a.CreationDate),
                ["LastUpdatedDate"] = Epoch(a.CreationDate),
            }).ToArray()),
            ["Truncated"] = next is not null,
        };
        if (next is not null)
        {
            response["NextMarker"] = next;
        }

        return response;
    }

    private JsonObject CreateKey(KmsRequest request, AwsPrincipal principal)
    {
        var keyUsage = request.String("KeyUsage") ?? KmsKey.EncryptDecrypt;
        var keySpec = request.String("KeySpec") ?? request.String("CustomerMasterKeySpec") ?? SymmetricDefault;
        var origin = request.String("Origin") ?? "AWS_KMS";
        var description = request.String("Description") ?? "";
        if (!KmsKey.KeyUsages.Contains(keyUsage))
        {
            throw AwsException.KmsValidation(KmsValidation.Enum("keyUsage", keyUsage, KmsKey.KeyUsages));
        }

        if (!KmsKey.KeySpecs.Contains(keySpec))
        {
            throw AwsException.KmsValidation(KmsValidation.Enum("keySpec", keySpec, KmsKey.KeySpecs));
        }

        if (origin is not ("AWS_KMS" or "EXTERNAL"))
        {
            throw new AwsException(400, "UnsupportedOperationException", $"Origin {origin} is not supported by the sandbox emulator.");
        }

        Authorize(principal, "kms:CreateKey", "*");
        var key = account.AddKey(keyUsage, keySpec, origin == "EXTERNAL" ? "PendingImport" : "Enabled", description, alias: null);
        return new JsonObject { ["KeyMetadata"] = account.Locked(() => Metadata(key)) };
    }

    private JsonObject CreateAlias(KmsRequest request, AwsPrincipal principal)
    {
        var aliasName = request.RequiredString("AliasName", 256);
        var key = Resolve(request.RequiredString("TargetKeyId"));
        Authorize(principal, "kms:CreateAlias", account.AliasArn(aliasName));
        Authorize(principal, "kms:CreateAlias", key.Arn);
        account.AddAlias(aliasName, key);
        return [];
    }

    private JsonObject SetEnabled(KmsRequest request, AwsPrincipal principal, bool enable)
    {
        var key = Resolve(request.RequiredString("KeyId"));
        Authorize(principal, enable ? "kms:EnableKey" : "kms:DisableKey", key.Arn);
        account.Mutate(() =>
        {
            RequireNotPending(key);
            key.KeyState = enable ? "Enabled" : "Disabled";
        });
        return [];
    }

    private JsonObject ScheduleKeyDeletion(KmsRequest request, AwsPrincipal principal)
    {
        var key = Resolve(request.RequiredString("KeyId"));
        var days = request.Int("PendingWindowInDays") ?? 30;
        if (days is < 7 or > 30)
        {
            throw AwsException.KmsValidation(KmsValidation.Range("pendingWindowInDays", days, 7, 30));
        }

        Authorize(principal, "kms:ScheduleKeyDeletion", key.Arn);
        var deletionDate = account.Mutate(() =>
        {
            if (key.KeyState == "PendingDeletion")
            {
                throw InvalidState(key, "is pending deletion.");
            }

            key.KeyState = "PendingDeletion";
            key.PendingWindowInDays = days;
            key.DeletionDate = account.Time.GetUtcNow() + TimeSpan.FromDays(days);
            return key.DeletionDate.Value;
        });
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["DeletionDate"] = Epoch(deletionDate),
            ["KeyState"] = "PendingDeletion",
            ["PendingWindowInDays"] = days,
        };
    }

    private JsonObject CancelKeyDeletion(KmsRequest request, AwsPrincipal principal)
    {
        var key = Resolve(request.RequiredString("KeyId"));
        Authorize(principal, "kms:CancelKeyDeletion", key.Arn);
        account.Mutate(() =>
        {
            if (key.KeyState != "PendingDeletion")
            {
                throw InvalidState(key, "is not pending deletion.");
            }

            key.KeyState = "Disabled";
            key.DeletionDate = null;
            key.PendingWindowInDays = null;
        });
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    private JsonObject Metadata(KmsKey key)
    {
        var metadata = new JsonObject
        {
            ["AWSAccountId"] = key.AccountId,
            ["KeyId"] = key.KeyId,
            ["Arn"] = key.Arn,
            ["CreationDate"] = Epoch(key.CreationDate),
            ["Enabled"] = key.KeyState == "Enabled",
            ["Description"] = key.Description,
            ["KeyUsage"] = key.KeyUsage,
            ["KeyState"] = key.KeyState,
            ["Origin"] = key.Origin,
            ["KeyManager"] = "CUSTOMER",
            ["CustomerMasterKeySpec"] = key.KeySpec,
            ["KeySpec"] = key.KeySpec,
            ["MultiRegion"] = false,
        };
        if (key.KeyUsage == KmsKey.EncryptDecrypt)
        {
            metadata["EncryptionAlgorithms"] = key.IsSymmetric ? new JsonArray(SymmetricDefault) : new JsonArray(s_rsaAlgorithms.Select(a => (JsonNode)a).ToArray());
        }
        else if (key.KeyUsage == KmsKey.SignVerify)
        {
            metadata["SigningAlgorithms"] = new JsonArray("RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256");
        }

        if (key.DeletionDate is { } deletion)
        {
            metadata["DeletionDate"] = Epoch(deletion);
            metadata["PendingDeletionWindowInDays"] = key.PendingWindowInDays;
        }

        if (key.Origin == "EXTERNAL")
        {
            metadata["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE";
        }

        return metadata;
    }

    private void Authorize(AwsPrincipal principal, string action, string resource)
    {
        if (!account.Locked(() => principal.Allows(action)))
        {
            throw new AwsException(400, "AccessDeniedException",
                $"User: {principal.Arn} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action");
        }
    }

    private void RequireUsable(KmsKey key, string operation) => account.Locked(() =>
    {
        switch (key.KeyState)
        {
            case "Disabled":
                throw new AwsException(400, "DisabledException", $"{key.Arn} is disabled.");
            case "PendingDeletion":
                throw InvalidState(key, "is pending deletion.");
            case "PendingImport":
                throw InvalidState(key, "is pending import.");
        }

        if (key.KeyUsage != KmsKey.EncryptDecrypt)
        {
            throw new AwsException(400, "InvalidKeyUsageException", $"{key.Arn} key usage is {key.KeyUsage} which is not valid for {operation}.");
        }
    });

    private static void RequireNotPending(KmsKey key)
    {
        switch (key.KeyState)
        {
            case "PendingDeletion":
                throw InvalidState(key, "is pending deletion.");
            case "PendingImport":
                throw InvalidState(key, "is pending import.");
        }
    }

    private static string RequireAlgorithm(KmsKey key, string? algorithm, string[] allowed)
    {
        if (algorithm is null || !allowed.Contains(algorithm))
        {
            throw new AwsException(400, "InvalidKeyUsageException",
                $"{key.Arn} key spec is {key.KeySpec} which does not support the encryption algorithm {algorithm ?? SymmetricDefault}.");
        }

        return algorithm;
    }

    private static void NoContextForAsymmetric(IReadOnlyDictionary<string, string> context)
    {
        if (context.Count > 0)
        {
            throw AwsException.KmsValidation("EncryptionContext is not supported for asymmetric KMS keys.");
        }
    }

    private static void DryRun(KmsRequest request)
    {
        if (request.Bool("DryRun"))
        {
            throw new AwsException(412, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
        }
    }

    private static (int Limit, string? Marker) Paging(KmsRequest request)
    {
        var limit = request.Int("Limit") ?? 100;
        if (limit is < 1 or > 1000)
        {
            throw AwsException.KmsValidation(KmsValidation.Range("limit", limit, 1, 1000));
        }

        var marker = request.String("Marker");
        return (limit, marker);
    }

    /// <summary>The marker is the base64 of the next item's sort key; an unknown marker is InvalidMarkerException.</summary>
    private static (IReadOnlyList<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, Func<T, string> id, int limit, string? marker)
    {
        var start = 0;
        if (marker is not null)
        {
            string? decoded;
            try
            {
                decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(marker));
            }
            catch (FormatException)
            {
                decoded = null;
            }

            start = decoded is null ? -1 : items.ToList().FindIndex(i => id(i) == decoded);
            if (start < 0)
            {
                throw new AwsException(400, "InvalidMarkerException", "Invalid marker");
            }
        }

        var page = items.Skip(start).Take(limit).ToList();
        var nextIndex = start + page.Count;
        var next = nextIndex < items.Count ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(id(items[nextIndex]))) : null;
        return (page, next);
    }

    private static RSAEncryptionPadding Padding(string algorithm) =>
        algorithm == "RSAES_OAEP_SHA_1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;

    private static AwsException InvalidState(KmsKey key, string what) => new(400, "KMSInvalidStateException", $"{key.Arn} {what}");

    private static AwsException KeyNotFound(string arn) => new(400, "NotFoundException", $"Key '{arn}' does not exist");

    private static AwsException AliasNotFound(string arn) => new(400, "NotFoundException", $"Alias '{arn}' is not found.");

    /// <summary>Epoch seconds with milliseconds, the awsJson default timestamp format.</summary>
    private static double Epoch(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}

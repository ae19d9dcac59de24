using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// Encrypt, decrypt, rewrap and datakey on one key, single or <c>batch_input</c>. A batch answers 200 when every
/// item succeeded and 400 (or <c>partial_failure_response_code</c> when some succeeded) otherwise, with per-item errors.
/// </summary>
internal static class TransitOperations
{
    public static VaultResponse Encrypt(TransitKey key, FieldReader fields) =>
        Run(fields, "plaintext", "missing plaintext to encrypt", item =>
        {
            var version = EncryptionVersion(key, item);
            var ciphertext = TransitCipher.Encrypt(key, version, Decode(item, "plaintext"), Decode(item, "associated_data"));
            return new JsonObject { ["ciphertext"] = ciphertext, ["key_version"] = version };
        });

    public static VaultResponse Decrypt(TransitKey key, FieldReader fields) =>
        Run(fields, "ciphertext", "missing ciphertext to decrypt", item =>
        {
            var (plaintext, _) = TransitCipher.Decrypt(key, item.String("ciphertext"), Decode(item, "associated_data"));
            return new JsonObject { ["plaintext"] = Convert.ToBase64String(plaintext) };
        });

    public static VaultResponse Rewrap(TransitKey key, FieldReader fields) =>
        Run(fields, "ciphertext", "missing ciphertext to rewrap", item =>
        {
            var associatedData = Decode(item, "associated_data");
            var (plaintext, _) = TransitCipher.Decrypt(key, item.String("ciphertext"), associatedData);
            var version = EncryptionVersion(key, item);
            return new JsonObject
            {
                ["ciphertext"] = TransitCipher.Encrypt(key, version, plaintext, associatedData),
                ["key_version"] = version,
            };
        });

    public static VaultResponse DataKey(TransitKey key, FieldReader fields, bool includePlaintext)
    {
        var bits = fields.Int("bits", 256);
        if (bits is not (128 or 256 or 512))
        {
            throw VaultException.BadRequest("invalid bits value");
        }

        var material = RandomNumberGenerator.GetBytes((int)bits / 8);
        var version = EncryptionVersion(key, fields);
        var data = new JsonObject
        {
            ["ciphertext"] = TransitCipher.Encrypt(key, version, material, Decode(fields, "associated_data")),
            ["key_version"] = version,
        };
        if (includePlaintext)
        {
            data["plaintext"] = Convert.ToBase64String(material);
        }

        return VaultResponse.WithData(data);
    }

    private static VaultResponse Run(FieldReader fields, string required, string missing, Func<FieldReader, JsonObject> one)
    {
        if (fields.Raw("batch_input") is not JsonArray batch)
        {
            return fields.Has(required) ? VaultResponse.WithData(one(fields)) : throw VaultException.BadRequest(missing);
        }

        if (batch.Count == 0)
        {
            throw VaultException.BadRequest("missing batch input to process");
        }

        var results = new JsonArray();
        var (failed, succeeded) = (false, false);
        foreach (var node in batch)
        {
            var item = node as JsonObject ?? [];
            var reader = new FieldReader(item);
            JsonObject result;
            try
            {
                result = reader.Has(required) ? one(reader) : throw VaultException.BadRequest(missing);
                succeeded = true;
            }
            catch (VaultException error)
            {
                result = new JsonObject { ["error"] = error.Message };
                failed = true;
            }

            if (item["reference"] is { } reference)
            {
                result["reference"] = reference.DeepClone();
            }

            results.Add(result);
        }

        var status = !failed ? 200 : succeeded && fields.Int("partial_failure_response_code", 0) is > 0 and < 600 and var code
            ? (int)code : 400;
        return new VaultResponse { Data = new JsonObject { ["batch_results"] = results }, StatusCode = status };
    }

    private static int EncryptionVersion(TransitKey key, FieldReader fields)
    {
        var requested = (int)fields.Int("key_version", 0);
        if (requested == 0)
        {
            return key.LatestVersion;
        }

        if (requested < key.MinEncryptionVersion)
        {
            throw VaultException.BadRequest("requested version for encryption is less than the minimum encryption key version");
        }

        return requested <= key.LatestVersion ? requested
            : throw VaultException.BadRequest("requested version for encryption is higher than the latest key version");
    }

    private static byte[] Decode(FieldReader fields, string name) =>
        TransitCipher.Base64(fields.String(name)) ?? throw VaultException.BadRequest($"illegal base64 data in {name}");
}

using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.State;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// A transit mount with AES-GCM keys: key management (create, read, list, config, rotate, delete) and the
/// cryptographic paths (encrypt, decrypt, rewrap, datakey). Encrypt has Vault's existence check: for a missing key
/// the request is a create, which upserts the key with the create capability and is refused by the ACL without it.
/// </summary>
internal sealed class TransitBackend : IVaultBackend
{
    private const string Key = "(?<name>" + VaultPath.Name + ")";

    private static readonly HashSet<string> s_unsupportedTypes =
    [
        "chacha20-poly1305", "xchacha20-poly1305", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519",
        "rsa-2048", "rsa-3072", "rsa-4096", "hmac", "aes128-cmac", "aes256-cmac", "managed_key",
    ];

    private readonly Dictionary<string, TransitKey> _keys = new(StringComparer.Ordinal);

    public TransitBackend()
    {
        Paths =
        [
            new VaultPath("keys/?").On(VaultOperation.List, ListKeys),
            new VaultPath("keys/" + Key)
                .On(VaultOperation.Read, call => _keys.GetValueOrDefault(call["name"]) is { } key ? Describe(key) : null)
                .On(VaultOperation.Update, CreateKey)
                .On(VaultOperation.Delete, DeleteKey),
            new VaultPath("keys/" + Key + "/config").On(VaultOperation.Update, call => Describe(
                TransitKeyConfig.Apply(Require(call, $"no existing key named {call["name"]} could be found"), call.Fields))),
            new VaultPath("keys/" + Key + "/rotate").On(VaultOperation.Update, Rotate),
            new VaultPath("encrypt/" + Key) { ExistenceCheck = call => _keys.ContainsKey(call["name"]) }.OnWrite(Encrypt),
            new VaultPath("decrypt/" + Key).On(VaultOperation.Update, call =>
                TransitOperations.Decrypt(Require(call, "encryption key not found"), call.Fields)),
            new VaultPath("rewrap/" + Key).On(VaultOperation.Update, call =>
                TransitOperations.Rewrap(Require(call, "encryption key not found"), call.Fields)),
            new VaultPath("datakey/(?<kind>plaintext|wrapped)/" + Key).On(VaultOperation.Update, call =>
                TransitOperations.DataKey(Require(call, "encryption key not found"), call.Fields, call["kind"] == "plaintext")),
        ];
    }

    public string Type => "transit";

    public IReadOnlyList<VaultPath> Paths { get; }

    /// <summary>The key type a create asks for, or a 400 for types this emulator (or Vault) does not have.</summary>
    public static string KeyType(string type) => type switch
    {
        "aes256-gcm96" or "aes128-gcm96" => type,
        _ when s_unsupportedTypes.Contains(type) => throw VaultException.BadRequest(
            $"key type {type} is not supported by the sandbox emulator (aes256-gcm96 and aes128-gcm96 are)"),
        _ => throw VaultException.BadRequest($"unknown key type {type}"),
    };

    /// <summary>Every key, for the state file (under the core's lock).</summary>
    public IReadOnlyList<TransitKeyState> SaveKeys() =>
        _keys.Values.OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => k.Save()).ToList();

    /// <summary>Adds saved keys to a new mount.</summary>
    /// <exception cref="InvalidDataException">A key is invalid or named twice.</exception>
    public void RestoreKeys(IEnumerable<TransitKeyState> keys)
    {
        foreach (var (state, index) in keys.Select((k, i) => (k, i)))
        {
            TransitKey key;
            try
            {
                key = TransitKey.Restore(state);
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"transit_keys[{index}]: {error.Message}");
            }

            if (!_keys.TryAdd(key.Name, key))
            {
                throw new InvalidDataException($"transit_keys[{index}]: a second key with the same name");
            }
        }
    }

    private static VaultResponse Describe(TransitKey key) => VaultResponse.WithData(key.Describe());

    private TransitKey Require(VaultCall call, string error) =>
        _keys.GetValueOrDefault(call["name"]) ?? throw VaultException.BadRequest(error);

    private VaultResponse? ListKeys(VaultCall call) => _keys.Count == 0 ? null
        : VaultResponse.WithData(new JsonObject
        {
            ["keys"] = VaultFormat.Strings(_keys.Keys.Order(StringComparer.Ordinal)),
        });

    private VaultResponse CreateKey(VaultCall call)
    {
        var name = call["name"];
        if (_keys.TryGetValue(name, out var existing))
        {
            return Describe(existing).WithWarning($"key {name} already existed");
        }

        if (call.Fields.Bool("derived", fallback: false))
        {
            throw VaultException.BadRequest("derived keys are not supported by the sandbox emulator");
        }

        var key = new TransitKey(name, KeyType(call.Fields.String("type", "aes256-gcm96")), call.Now)
        {
            Exportable = call.Fields.Bool("exportable", fallback: false),
            AllowPlaintextBackup = call.Fields.Bool("allow_plaintext_backup", fallback: false),
            AutoRotatePeriodSeconds = (long)call.Fields.Duration("auto_rotate_period", TimeSpan.Zero).TotalSeconds,
        };
        _keys.Add(name, key);
        return Describe(key);
    }

    private VaultResponse? DeleteKey(VaultCall call)
    {
        var name = call["name"];
        var reason = !_keys.TryGetValue(name, out var key) ? "could not delete key; not found"
            : !key.DeletionAllowed ? "deletion is not allowed for this policy" : null;
        if (reason is not null)
        {
            throw VaultException.BadRequest($"error deleting policy {name}: {reason}");
        }

        _keys.Remove(name);
        return null;
    }

    private VaultResponse Rotate(VaultCall call)
    {
        var key = Require(call, "key not found");
        key.Rotate(call.Now);
        return Describe(key);
    }

    private VaultResponse Encrypt(VaultCall call)
    {
        var name = call["name"];
        if (!_keys.TryGetValue(name, out var key))
        {
            if (call.Operation != VaultOperation.Create)
            {
                throw VaultException.BadRequest("encryption key not found");
            }

            key = new TransitKey(name, KeyType(call.Fields.String("type", "aes256-gcm96")), call.Now);
            _keys.Add(name, key);
        }

        return TransitOperations.Encrypt(key, call.Fields);
    }
}

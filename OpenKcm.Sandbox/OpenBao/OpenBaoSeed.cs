using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao;

/// <summary>
/// The starting scenario, applied through the core's own request pipeline with a fresh root token (the same
/// requests an administrator would send): a transit mount and key, a least-privilege policy, and an AppRole role
/// with a generated role ID and secret ID. Names are fixed; every secret is random.
/// </summary>
internal static class OpenBaoSeed
{
    /// <summary>Exactly what the OpenKCM plugin needs, nothing more.</summary>
    public const string PolicyText = """
        # Least privilege for the OpenKCM OpenBao keystore plugin.
        path "openkcm-keys/keys/customer-master-key" {
          capabilities = ["read"]
        }

        path "openkcm-keys/encrypt/customer-master-key" {
          capabilities = ["update"]
        }

        path "openkcm-keys/decrypt/customer-master-key" {
          capabilities = ["update"]
        }

        path "auth/token/lookup-self" {
          capabilities = ["read"]
        }

        path "auth/token/renew-self" {
          capabilities = ["update"]
        }
        """;

    public static OpenBaoIdentity Apply(VaultCore core)
    {
        var root = core.Tokens.CreateRoot(core.Root).Id;
        Send(core, root, VaultOperation.Update, $"sys/mounts/{OpenBaoEmulator.MountPath}",
            new JsonObject { ["type"] = "transit", ["description"] = "OpenKCM customer master keys" });
        Send(core, root, VaultOperation.Update, $"{OpenBaoEmulator.MountPath}/keys/{OpenBaoEmulator.KeyName}",
            new JsonObject { ["type"] = "aes256-gcm96" });
        Send(core, root, VaultOperation.Update, $"sys/policies/acl/{OpenBaoEmulator.PolicyName}",
            new JsonObject { ["policy"] = PolicyText });
        Send(core, root, VaultOperation.Update, "sys/auth/approle", new JsonObject { ["type"] = "approle" });
        var role = $"auth/approle/role/{OpenBaoEmulator.RoleName}";
        Send(core, root, VaultOperation.Update, role, new JsonObject
        {
            ["token_policies"] = OpenBaoEmulator.PolicyName,
            ["token_ttl"] = "1h",
            ["token_max_ttl"] = "4h",
            ["bind_secret_id"] = true,
        });
        var roleId = Send(core, root, VaultOperation.Read, $"{role}/role-id", [])["role_id"]!.GetValue<string>();
        var secretId = Send(core, root, VaultOperation.Update, $"{role}/secret-id", [])["secret_id"]!.GetValue<string>();
        return new OpenBaoIdentity(root, roleId, secretId);
    }

    private static JsonObject Send(VaultCore core, string token, VaultOperation operation, string path, JsonObject data) =>
        core.Handle(new VaultRequest { Operation = operation, Path = path, ClientToken = token, Data = data })?.Data ?? [];
}

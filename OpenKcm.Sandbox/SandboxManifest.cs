using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox;

/// <summary>
/// The manifest: one entry per emulator, keyed by emulator name, each in the console wizard's JSON import shape
/// (<c>plugin_type</c>, <c>plugin_name</c>, <c>configuration</c>) so it can be pasted as is; plus <c>control_url</c>,
/// and <c>sandbox_admin</c> with what only tools should use (root tokens), kept out of the import entries.
/// </summary>
internal static class SandboxManifest
{
    public static JsonObject Build(
        Uri controlUrl, OpenBaoEmulator openBao, OpenBaoEmulator openBaoBackup, AwsKmsEmulator awsKms, LunaSandbox? luna, string secretIdPath)
    {
        var manifest = OpenBaoOnly(controlUrl, openBao, secretIdPath);
        var admin = (JsonObject)manifest["sandbox_admin"]!;
        manifest.Remove("sandbox_admin");

        // The backup cluster replicates the first: same role ID and secret ID file, its own address and root token.
        var backup = OpenBaoOnly(controlUrl, openBaoBackup, secretIdPath);
        manifest[openBaoBackup.Name] = backup[openBaoBackup.Name]!.DeepClone();
        admin[openBaoBackup.Name] = backup["sandbox_admin"]![openBaoBackup.Name]!.DeepClone();
        manifest[awsKms.Name] = awsKms.ManifestEntry();
        var awsAdmin = awsKms.SandboxAdminEntry();
        awsAdmin["endpoint"] = awsKms.BaseAddress.GetLeftPart(UriPartial.Authority);
        awsAdmin["region"] = awsKms.Region;
        awsAdmin["control_url"] = new Uri(controlUrl, awsKms.Name).ToString();
        admin[awsKms.Name] = awsAdmin;
        if (luna is { IsAvailable: true })
        {
            manifest[LunaSandbox.DefaultName] = luna.ManifestEntry();
            var lunaAdmin = luna.ToolAccess();
            lunaAdmin["control_urls"] = new JsonArray([.. luna.Appliances.Select(a => (JsonNode?)new Uri(controlUrl, a.Name).ToString())]);
            admin[LunaSandbox.DefaultName] = lunaAdmin;
        }
        else if (luna is not null)
        {
            manifest["unavailable"] = new JsonObject { [LunaSandbox.DefaultName] = luna.UnavailableReason };
        }

        manifest["sandbox_admin"] = admin;
        return manifest;
    }

    private static JsonObject OpenBaoOnly(Uri controlUrl, OpenBaoEmulator openBao, string secretIdPath) => new()
    {
        ["control_url"] = controlUrl.ToString(),
        [openBao.Name] = new JsonObject
        {
            ["plugin_type"] = "openbao",
            ["plugin_name"] = "sandbox_" + openBao.Name,
            ["configuration"] = new JsonObject
            {
                ["vault_address"] = openBao.BaseAddress.GetLeftPart(UriPartial.Authority),
                ["auth_method"] = "approle",
                ["role_id"] = openBao.RoleId,
                ["secret_id_path"] = secretIdPath,
                ["mount_path"] = OpenBaoEmulator.MountPath,
                ["key_name"] = OpenBaoEmulator.KeyName,
            },
        },
        ["sandbox_admin"] = new JsonObject
        {
            [openBao.Name] = new JsonObject
            {
                ["root_token"] = openBao.RootToken,
                ["control_url"] = new Uri(controlUrl, openBao.Name).ToString(),
            },
        },
    };
}

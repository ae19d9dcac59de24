using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.RealClients;

/// <summary>
/// Vault's real Python client (Debian's python3-hvac under /usr/bin/python3, not a pyenv interpreter) against the
/// emulator: what a real client accepts is the measure of protocol compatibility.
/// </summary>
public sealed class HvacClientTests : SandboxTest
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Hvac_FullJourney_Succeeds()
    {
        await RequireHvacAsync();
        var script = Path.Combine(DataDirectory, "hvac_journey.py");
        await File.WriteAllTextAsync(script, HvacScript.Text);
        var configuration = Host.Manifest["openbao"]!["configuration"]!;

        var (exitCode, output, error) = await RunPythonAsync([script], new Dictionary<string, string>
        {
            ["VAULT_ADDR"] = configuration["vault_address"]!.GetValue<string>(),
            ["ROLE_ID"] = configuration["role_id"]!.GetValue<string>(),
            ["SECRET_ID_PATH"] = configuration["secret_id_path"]!.GetValue<string>(),
            ["MOUNT"] = OpenBaoEmulator.MountPath,
            ["KEY"] = OpenBaoEmulator.KeyName,
            ["ROOT_TOKEN"] = OpenBao.RootToken,
        });

        Assert.True(exitCode == 0, $"hvac journey failed ({exitCode}):\n{error}\n{output}");
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.Equal("ok", result["result"]!.GetValue<string>());
        Assert.Equal("2.6.2", result["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hvac_EncryptOnOpenBao_DecryptsOnTheBackupCluster()
    {
        await RequireHvacAsync();
        var script = Path.Combine(DataDirectory, "hvac_backup.py");
        await File.WriteAllTextAsync(script, """
            import base64, json, os, hvac
            secret_id = open(os.environ["SECRET_ID_PATH"]).read().strip()
            clients = []
            for address in (os.environ["PRIMARY"], os.environ["BACKUP"]):
                client = hvac.Client(url=address)
                client.auth.approle.login(role_id=os.environ["ROLE_ID"], secret_id=secret_id)
                clients.append(client)
            plaintext = base64.b64encode(b"replicated").decode()
            ciphertext = clients[0].secrets.transit.encrypt_data(name=os.environ["KEY"], plaintext=plaintext, mount_point=os.environ["MOUNT"])["data"]["ciphertext"]
            decrypted = clients[1].secrets.transit.decrypt_data(name=os.environ["KEY"], ciphertext=ciphertext, mount_point=os.environ["MOUNT"])["data"]["plaintext"]
            assert decrypted == plaintext, decrypted
            assert clients[0].token != clients[1].token
            print(json.dumps({"result": "ok"}))
            """);
        var configuration = Host.Manifest["openbao_backup"]!["configuration"]!;

        var (exitCode, output, error) = await RunPythonAsync([script], new Dictionary<string, string>
        {
            ["PRIMARY"] = Host.Manifest["openbao"]!["configuration"]!["vault_address"]!.GetValue<string>(),
            ["BACKUP"] = configuration["vault_address"]!.GetValue<string>(),
            ["ROLE_ID"] = configuration["role_id"]!.GetValue<string>(),
            ["SECRET_ID_PATH"] = configuration["secret_id_path"]!.GetValue<string>(),
            ["MOUNT"] = OpenBaoEmulator.MountPath,
            ["KEY"] = OpenBaoEmulator.KeyName,
        });

        Assert.True(exitCode == 0, $"hvac against the backup cluster failed ({exitCode}):\n{error}\n{output}");
        Assert.Equal("ok", JsonNode.Parse(output.Trim().Split('\n')[^1])!["result"]!.GetValue<string>());
    }

    private static async Task RequireHvacAsync()
    {
        var (exitCode, _, error) = File.Exists(Python)
            ? await RunPythonAsync(["-c", "import hvac"], new Dictionary<string, string>())
            : (-1, "", $"{Python} does not exist");
        if (exitCode != 0)
        {
            Assert.Fail($"The hvac client is missing ({error.Trim()}): install it with `apt-get install python3-hvac` (test.sh does).");
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunPythonAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // requests honours proxy variables; the emulator is on loopback and must be reached directly.
        foreach (var proxy in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy" })
        {
            start.Environment.Remove(proxy);
        }

        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Sandbox;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.E2E.Journeys;

/// <summary>The fixture's in-process sandbox OpenBao: its import entry from the manifest and the emulator itself.</summary>
internal static class SandboxOpenBao
{
    /// <summary>
    /// The ready-to-import OpenBao entry of <c>sandbox-manifest.json</c> (<c>{"plugin_type", "plugin_name",
    /// "configuration"}</c>), renamed to <paramref name="pluginName"/> when given so that several keystores of one test
    /// class can point at the same emulator.
    /// </summary>
    public static JsonObject Seed(ConsoleAppFixture app, string? pluginName = null)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(app.DataDirectory, SandboxHostedService.ManifestFileName)))!.AsObject();
        // By name: openbao_backup is a second openbao entry.
        var seed = manifest[OpenBaoEmulator.DefaultName]!.DeepClone().AsObject();
        if (pluginName is not null)
        {
            seed["plugin_name"] = pluginName;
        }

        return seed;
    }

    /// <summary>The running emulator, for faults and admin requests a test arranges outside the browser.</summary>
    public static OpenBaoEmulator Emulator(ConsoleAppFixture app) =>
        app.Services.GetRequiredService<SandboxHostedService>().Host?.OpenBao
        ?? throw new InvalidOperationException("The sandbox is not running: the fixture sets OpenKcm:Sandbox:Enabled=true in Development.");
}

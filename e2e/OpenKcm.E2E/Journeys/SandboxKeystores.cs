using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Sandbox;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.Sandbox;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// The fixture's in-process sandbox (AWS KMS + STS emulator, SoftHSM2-backed Thales Luna): its manifest's import entries,
/// the secrets an administrator types into the wizard (the manifest's <c>sandbox_admin</c> section), and the emulators
/// themselves for faults a test arranges outside the browser.
/// </summary>
internal static class SandboxKeystores
{
    public const string AwsKms = "aws_kms";
    public const string ThalesLuna = "thales_luna";

    /// <summary>The running sandbox of <paramref name="app"/>.</summary>
    public static SandboxHost Host(ConsoleAppFixture app) =>
        app.Services.GetRequiredService<SandboxHostedService>().Host
        ?? throw new InvalidOperationException("The sandbox is not running: the fixture sets OpenKcm:Sandbox:Enabled=true in Development.");

    /// <summary>
    /// The manifest's ready-to-import entry for <paramref name="emulator"/> (<c>{"plugin_type", "plugin_name",
    /// "configuration"}</c>), renamed to <paramref name="pluginName"/> so that several keystores of one test class can
    /// point at the same emulator. Fails with the sandbox's reason when the entry is missing (e.g. SoftHSM2 not installed).
    /// </summary>
    public static JsonObject ImportEntry(ConsoleAppFixture app, string emulator, string pluginName)
    {
        var manifest = Host(app).Manifest;
        if (manifest[emulator] is not JsonObject entry)
        {
            throw new InvalidOperationException(
                $"The sandbox manifest has no '{emulator}' entry: {manifest["unavailable"]?[emulator]?.ToString() ?? "no reason given"}.");
        }

        var seed = entry.DeepClone().AsObject();
        seed["plugin_name"] = pluginName;
        return seed;
    }

    /// <summary>A value of the manifest's <c>sandbox_admin.{emulator}</c> section, e.g. the secret access key or the PIN.</summary>
    public static string Admin(ConsoleAppFixture app, string emulator, string field) =>
        (string?)Host(app).Manifest["sandbox_admin"]?[emulator]?[field]
        ?? throw new InvalidOperationException($"The sandbox manifest has no sandbox_admin.{emulator}.{field}.");

    /// <summary>The import entry's configuration value <paramref name="field"/> (e.g. <c>kms_key_id</c>).</summary>
    public static string Setting(JsonObject seed, string field) =>
        (string?)seed["configuration"]?[field] ?? throw new InvalidOperationException($"The import entry has no configuration.{field}.");
}

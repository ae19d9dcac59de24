using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Sandbox;
using OpenKcm.Sandbox;

namespace OpenKcm.Console.Components.SandboxPages;

/// <summary>Development only: the sandbox emulators, their importable configuration and their fault controls.</summary>
public sealed partial class SandboxPage
{
    private const string LunaSandboxName = OpenKcm.Sandbox.ThalesLuna.LunaSandbox.DefaultName;

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    [Inject] public required IServiceProvider Services { get; init; }

    private SandboxHostedService? Sandbox => Services.GetService<SandboxHostedService>();

    private SandboxHost? Host => Sandbox?.Host;

    private string? ManifestPath => Sandbox?.ManifestPath;

    /// <summary>The manifest entry in the wizard's import shape; the admin section (root token) is never shown.</summary>
    private string? ImportJsonFor(string emulatorName) =>
        Host?.Manifest[emulatorName] is JsonObject entry ? entry.ToJsonString(s_indented) : null;
}

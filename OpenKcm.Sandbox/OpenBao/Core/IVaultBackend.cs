namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>A secrets engine or auth method: the paths it serves below its mount point.</summary>
internal interface IVaultBackend
{
    string Type { get; }

    IReadOnlyList<VaultPath> Paths { get; }
}

namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>A persisted transit key: its settings and every version's key material.</summary>
internal sealed record TransitKeyState
{
    public required string Name { get; init; }

    /// <summary><c>aes256-gcm96</c> or <c>aes128-gcm96</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Version 1 first.</summary>
    public required IReadOnlyList<TransitKeyVersionState> Versions { get; init; }

    public required int MinDecryptionVersion { get; init; }

    public required int MinEncryptionVersion { get; init; }

    public bool DeletionAllowed { get; init; }

    public bool Exportable { get; init; }

    public bool AllowPlaintextBackup { get; init; }

    public long AutoRotatePeriodSeconds { get; init; }
}

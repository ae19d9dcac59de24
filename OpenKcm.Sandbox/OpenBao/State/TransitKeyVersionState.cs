namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>One version of a transit key: its AES key material (base64 in the file) and creation time.</summary>
internal sealed record TransitKeyVersionState
{
    public required byte[] Material { get; init; }

    /// <summary>Unix seconds.</summary>
    public required long Created { get; init; }
}

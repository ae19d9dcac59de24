namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>A persisted ACL policy: its name and the text it was written with (parsed again on load).</summary>
internal sealed record PolicyState
{
    public required string Name { get; init; }

    public required string Text { get; init; }
}

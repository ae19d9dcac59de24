namespace OpenKcm.Console.Hubs;

/// <summary>One change in a <c>changes</c> message: <c>upserted</c> replaces or adds, <c>removed</c> deletes.</summary>
public sealed record KeystoreHealthChangeDto
{
    public const string Upserted = "upserted";
    public const string Removed = "removed";

    public required string Kind { get; init; }

    public required Guid KeystoreId { get; init; }

    /// <summary>The new state for <c>upserted</c>; null for <c>removed</c>.</summary>
    public KeystoreHealthDto? Keystore { get; init; }
}

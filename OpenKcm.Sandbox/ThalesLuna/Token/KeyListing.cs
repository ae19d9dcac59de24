namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>The outcome of listing a token's secret keys; <see cref="Problem"/> is fit for a message (no secrets).</summary>
internal sealed record KeyListing(KeyListingStatus Status, IReadOnlyList<ListedSecretKey> Keys, string? Problem);

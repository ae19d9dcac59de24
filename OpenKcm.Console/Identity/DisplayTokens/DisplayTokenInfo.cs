namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>A display token as the admin page and the authentication handlers see it (no hash, no token).</summary>
public sealed record DisplayTokenInfo
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    public required string CreatedByName { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedByName { get; init; }

    /// <summary>Active, Expired or Revoked at <paramref name="now"/>.</summary>
    public DisplayTokenState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? DisplayTokenState.Revoked : ExpiresAt <= now ? DisplayTokenState.Expired : DisplayTokenState.Active;

    internal static DisplayTokenInfo From(DisplayToken token) => new()
    {
        Id = token.Id,
        Name = token.Name,
        CreatedByName = token.CreatedByName,
        CreatedAt = token.CreatedAt,
        ExpiresAt = token.ExpiresAt,
        LastUsedAt = token.LastUsedAt,
        RevokedAt = token.RevokedAt,
        RevokedByName = token.RevokedByName,
    };
}

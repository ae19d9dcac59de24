namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// A read-only display token as stored (table <c>DisplayTokens</c>): only the SHA-256 of the token, never the token
/// itself. Created by an administrator on <c>/admin/display-tokens</c>; grants the <see cref="Policies.ViewNoc"/>
/// policy and nothing else until <see cref="ExpiresAt"/> or <see cref="RevokedAt"/>.
/// </summary>
public sealed class DisplayToken
{
    public Guid Id { get; set; }

    /// <summary>What the administrator called it ("NOC wall 2"); shown in lists and audit entries.</summary>
    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 token (<c>okd_…</c>); unique.</summary>
    public required string TokenHash { get; set; }

    public required string CreatedById { get; set; }

    public required string CreatedByName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Updated at most once a minute while the token is used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedByName { get; set; }
}

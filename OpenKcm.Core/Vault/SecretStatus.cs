namespace OpenKcm.Core.Vault;

/// <summary>
/// What the UI may know about a secret field: whether it is set, which version, and when that version was stored
/// ("set · rotated 3 days ago"). Never the value.
/// </summary>
public sealed record SecretStatus(string Field, int? Version, DateTimeOffset? UpdatedAt)
{
    public bool IsSet => Version is not null;
}

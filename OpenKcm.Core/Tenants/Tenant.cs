namespace OpenKcm.Core.Tenants;

/// <summary>
/// A tenant: the unit keystores, audit entries and (in the console) users belong to. Immutable snapshot, also the
/// persisted row (table <c>tenants</c>); safe to share across threads and circuits.
/// </summary>
public sealed class Tenant
{
    public const string DefaultName = "default";

    public required Guid Id { get; init; }

    /// <summary>Unique, lower-case name (<c>default</c>, <c>acme-corp</c>).</summary>
    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

using System.Collections.Immutable;

namespace OpenKcm.Core.Plugins;

/// <summary>The keystore-side setup the administrator performs, generated from the entered configuration.</summary>
public sealed class PermissionGuidance
{
    public required string Summary { get; init; }

    public required ImmutableArray<GuidanceBlock> Blocks { get; init; }
}

/// <summary>One copyable block: a policy document or a list of commands.</summary>
/// <param name="Title">Heading shown above the block.</param>
/// <param name="Language">Syntax of <paramref name="Content"/>: <c>hcl</c>, <c>bash</c>, <c>json</c>.</param>
/// <param name="Content">The exact text to copy.</param>
/// <param name="Explanation">Why it is needed.</param>
public sealed record GuidanceBlock(string Title, string Language, string Content, string Explanation);

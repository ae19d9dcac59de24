using System.Collections.Frozen;
using Amazon;

namespace OpenKcm.Providers.AwsKms;

/// <summary>One AWS region with the partition it belongs to.</summary>
/// <param name="Name">System name, e.g. <c>us-east-1</c>.</param>
/// <param name="Partition">ARN partition: <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>, ...</param>
/// <param name="DnsSuffix">The partition's DNS suffix, e.g. <c>amazonaws.com.cn</c>.</param>
internal sealed record AwsRegion(string Name, string Partition, string DnsSuffix);

/// <summary>
/// The regions of every AWS partition known to the bundled AWS SDK (aws, aws-cn, aws-us-gov, the ISO partitions and
/// the European Sovereign Cloud). Immutable; thread-safe.
/// </summary>
internal static class AwsRegions
{
    private static readonly FrozenDictionary<string, AwsRegion> s_regions = RegionEndpoint.EnumerableAllRegions
        .Where(r => !r.SystemName.EndsWith("-regional", StringComparison.Ordinal) && r.SystemName != "aws-global")
        .Select(r => new AwsRegion(r.SystemName, r.PartitionName, r.PartitionDnsSuffix))
        .ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);

    public static IEnumerable<AwsRegion> All => s_regions.Values.OrderBy(r => r.Name, StringComparer.Ordinal);

    public static AwsRegion? Find(string name) => s_regions.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="partition"/> is the partition of any known region.</summary>
    public static bool IsKnownPartition(string partition) => s_regions.Values.Any(r => r.Partition == partition);

    /// <summary>Why <paramref name="name"/> is not a known region, with a suggestion when one is obvious.</summary>
    public static string UnknownRegionMessage(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        if (lower != name && Find(lower) is not null)
        {
            return $"Region names are lower case: use '{lower}'.";
        }

        // A display name or an availability zone instead of the region's system name.
        var byDisplay = RegionEndpoint.EnumerableAllRegions.FirstOrDefault(r =>
            string.Equals(r.DisplayName, name.Trim(), StringComparison.OrdinalIgnoreCase) && Find(r.SystemName) is not null);
        if (byDisplay is not null)
        {
            return $"Enter the region's code, not its name: '{byDisplay.SystemName}' for {byDisplay.DisplayName}.";
        }

        if (lower.Length > 1 && char.IsAsciiLetter(lower[^1]) && Find(lower[..^1]) is { } zoneRegion)
        {
            return $"'{name}' is an availability zone; the region is '{zoneRegion.Name}'.";
        }

        return $"'{name}' is not an AWS region known to this console (partitions aws, aws-cn, aws-us-gov and the isolated "
            + "partitions), e.g. us-east-1, eu-central-1, cn-north-1 or us-gov-west-1.";
    }
}

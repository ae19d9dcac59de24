namespace OpenKcm.Core.Health;

/// <summary>
/// Log-scale latency bins used by the 1-hour and 24-hour windows and by stored history: fixed memory whatever the
/// traffic, mergeable (bucket + bucket, minute + hour) and good for percentiles within a known error.
/// </summary>
/// <remarks>
/// Bin <c>i</c> covers [<see cref="MinLatency"/>·r^i, <see cref="MinLatency"/>·r^(i+1)) with r = 2^(1/8); bin 0 also
/// takes everything faster, the last bin everything slower. A percentile is reported as its bin's geometric middle,
/// clamped to the slowest latency actually seen, so between 10 µs and about 10 min the estimate is within
/// ±<see cref="RelativeError"/> (4.4 %) of the true sample at that rank.
/// </remarks>
internal static class LatencyHistogram
{
    /// <summary>Bins per doubling.</summary>
    public const int BinsPerOctave = 8;

    /// <summary>Number of bins (10 µs · 2^(208/8) ≈ 11 min).</summary>
    public const int BinCount = 208;

    /// <summary>Lower edge of bin 1 is <see cref="MinLatency"/>·r.</summary>
    public static readonly TimeSpan MinLatency = TimeSpan.FromTicks(100); // 10 µs

    /// <summary>Largest relative error of a percentile estimate inside the bins' range: r^(1/2) − 1.</summary>
    public static readonly double RelativeError = Math.Pow(2, 0.5 / BinsPerOctave) - 1;

    public static int BinOf(TimeSpan latency)
    {
        var ticks = latency.Ticks;
        if (ticks <= MinLatency.Ticks)
        {
            return 0;
        }

        var bin = (int)Math.Floor(Math.Log2((double)ticks / MinLatency.Ticks) * BinsPerOctave);
        return Math.Clamp(bin, 0, BinCount - 1);
    }

    /// <summary>The geometric middle of a bin.</summary>
    public static TimeSpan Estimate(int bin) =>
        TimeSpan.FromTicks((long)Math.Round(MinLatency.Ticks * Math.Pow(2, (bin + 0.5) / BinsPerOctave)));

    /// <summary>
    /// The nearest-rank percentile (0–1) of the samples counted in <paramref name="bins"/>, clamped to
    /// <paramref name="max"/>; null when the bins are empty.
    /// </summary>
    public static TimeSpan? Percentile(ReadOnlySpan<long> bins, long total, double percentile, TimeSpan max)
    {
        if (total <= 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(percentile * total);
        long seen = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            seen += bins[i];
            if (seen >= rank)
            {
                var estimate = Estimate(i);
                return estimate > max ? max : estimate;
            }
        }

        return max;
    }

    /// <summary>Sparse little-endian encoding for storage: (bin: u16, count: u32) per non-empty bin.</summary>
    public static byte[] Encode(ReadOnlySpan<long> bins)
    {
        var used = 0;
        foreach (var count in bins)
        {
            if (count > 0)
            {
                used++;
            }
        }

        var bytes = new byte[used * 6];
        var at = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            if (bins[i] > 0)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(at, 2), (ushort)i);
                BitConverter.TryWriteBytes(bytes.AsSpan(at + 2, 4), (uint)Math.Min(bins[i], uint.MaxValue));
                at += 6;
            }
        }

        return bytes;
    }

    /// <summary>Adds an <see cref="Encode"/>d histogram into <paramref name="bins"/>; ignores malformed trailing bytes and unknown bins.</summary>
    public static void DecodeInto(ReadOnlySpan<byte> encoded, Span<long> bins)
    {
        for (var at = 0; at + 6 <= encoded.Length; at += 6)
        {
            var bin = BitConverter.ToUInt16(encoded.Slice(at, 2));
            var count = BitConverter.ToUInt32(encoded.Slice(at + 2, 4));
            if (bin < bins.Length)
            {
                bins[bin] += count;
            }
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// Vault's duration fields: an integer number of seconds, or a Go duration string such as <c>1h</c>, <c>90m</c> or
/// <c>1h30m</c> (plus <c>d</c> for days, as Vault's parseutil accepts).
/// </summary>
internal static partial class VaultDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var matches = Component().Matches(text);
        if (matches.Sum(m => m.Length) != text.Length || matches.Count == 0)
        {
            return false;
        }

        foreach (Match match in matches)
        {
            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            duration += match.Groups["unit"].Value switch
            {
                "ns" => TimeSpan.FromTicks((long)(value / 100)),
                "us" or "µs" => TimeSpan.FromMicroseconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromDays(value),
            };
        }

        return true;
    }

    /// <summary>Formats like Go's <c>time.Duration.String()</c> (<c>4h0m0s</c>, <c>1m30s</c>, <c>5s</c>), as Vault's warnings do.</summary>
    public static string ToGoString(TimeSpan duration)
    {
        var total = (long)Math.Floor(duration.TotalSeconds);
        if (total == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (total >= 3600)
        {
            text.Append(CultureInfo.InvariantCulture, $"{total / 3600}h");
        }

        if (total >= 60)
        {
            text.Append(CultureInfo.InvariantCulture, $"{total % 3600 / 60}m");
        }

        return text.Append(CultureInfo.InvariantCulture, $"{total % 60}s").ToString();
    }

    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?)(?<unit>ns|us|µs|ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Component();
}

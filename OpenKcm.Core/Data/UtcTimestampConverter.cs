using System.Globalization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OpenKcm.Core.Data;

/// <summary>
/// Stores <see cref="DateTimeOffset"/> as fixed-width UTC text (<c>2026-11-22T10:00:00.0000000Z</c>). SQLite cannot
/// compare or order EF's default DateTimeOffset text (it carries an offset), which the audit filters need; fixed-width
/// UTC text sorts correctly as a string, keeps tick precision (so audit hashes recompute exactly) and stays readable
/// with the sqlite3 shell.
/// </summary>
internal sealed class UtcTimestampConverter : ValueConverter<DateTimeOffset, string>
{
    public const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";

    public UtcTimestampConverter()
        : base(v => ToText(v), v => FromText(v))
    {
    }

    public static string ToText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset FromText(string text) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            DateTimeKind.Utc));
}

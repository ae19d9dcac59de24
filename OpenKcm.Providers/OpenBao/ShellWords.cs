using System.Text.RegularExpressions;

namespace OpenKcm.Providers.OpenBao;

/// <summary>Quoting for the generated shell commands, which administrators copy and run as they are.</summary>
internal static partial class ShellWords
{
    /// <summary>
    /// <paramref name="value"/> as one POSIX sh word: unchanged when it holds only characters sh never interprets (as
    /// Python's <c>shlex.quote</c>), otherwise in single quotes with each <c>'</c> written as <c>'\''</c>. A quoted value
    /// is never expanded, split or run, whatever it contains.
    /// </summary>
    public static string Quote(string value) =>
        SafeWordRegex().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Text for a <c>#</c> comment: a line break would end the comment and start a command.</summary>
    public static string CommentText(string value) =>
        string.Create(value.Length, value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                span[i] = char.IsControl(v[i]) ? '?' : v[i];
            }
        });

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeWordRegex();
}

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Redaction of webhook URLs for audit details, log lines, errors and lists. Chat and paging services (Slack, Teams,
/// PagerDuty, ...) carry the credential in the path or the query, so only the scheme, host, port and the first path
/// segment are kept; a longer path becomes <c>/first/…</c> and any query <c>?…</c>. The full URL is shown only in the
/// Administrator's edit form and used only for the request itself.
/// </summary>
public static class WebhookUrl
{
    /// <summary>What stands for the removed part of the path or the query.</summary>
    public const string Ellipsis = "…";

    /// <summary>Shown for a value that is not an absolute URL (nothing of it is shown).</summary>
    public const string Invalid = "(not a valid URL)";

    /// <summary>
    /// <paramref name="url"/> with everything after the first path segment replaced by "…" and the query by "?…";
    /// user info and fragment are dropped. Pure; never throws.
    /// </summary>
    /// <example><c>https://hooks.slack.com/services/T0/B0/xyz</c> → <c>https://hooks.slack.com/services/…</c>.</example>
    public static string Redact(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.IsFile
            || string.IsNullOrEmpty(uri.Host))
        {
            return Invalid;
        }

        // Scheme, host and a non-default port; never the user info.
        var result = uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var path = uri.AbsolutePath; // Escaped, starts with '/'.
        var next = path.IndexOf('/', 1);
        if (next < 0)
        {
            result += path;
        }
        else
        {
            result += path[..(next + 1)];
            if (next + 1 < path.Length)
            {
                result += Ellipsis;
            }
        }

        if (uri.Query.Length > 0)
        {
            result += "?" + Ellipsis;
        }

        return result;
    }
}

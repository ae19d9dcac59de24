using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Builds the JSON bodies POSTed to webhooks. The contract (documented in docs/alerts.md) is additive: fields may be
/// added, never renamed or removed. Snake-case names, ISO-8601 UTC times with milliseconds, enum values in snake case.
/// </summary>
public static class WebhookPayload
{
    public const string AlertRaised = "alert.raised";
    public const string Test = "webhook.test";

    /// <summary>The body announcing <paramref name="alert"/>; <paramref name="eventId"/> is the alert's id.</summary>
    public static string ForAlert(Guid eventId, Alert alert, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return Write(eventId, AlertRaised, createdAt, w =>
        {
            w.WriteStartObject("alert");
            w.WriteString("id", alert.Id);
            w.WriteString("type", Snake(alert.Type.ToString()));
            w.WriteString("severity", Snake(alert.Severity.ToString()));
            w.WriteString("title", alert.Title);
            w.WriteString("detail", alert.Detail);
            w.WriteString("raised_at", Time(alert.RaisedAt));
            if (alert.KeystoreId is { } keystoreId)
            {
                w.WriteStartObject("keystore");
                w.WriteString("id", keystoreId);
                w.WriteString("name", alert.KeystoreName);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("keystore");
            }

            if (alert.TenantId is { } tenantId)
            {
                w.WriteStartObject("tenant");
                w.WriteString("id", tenantId);
                w.WriteString("name", alert.TenantName);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("tenant");
            }

            w.WriteEndObject();
        });
    }

    /// <summary>The body of "Send test event": <c>alert</c> is null.</summary>
    public static string ForTest(Guid eventId, string webhookName, DateTimeOffset createdAt) =>
        Write(eventId, Test, createdAt, w =>
        {
            w.WriteNull("alert");
            w.WriteString("message", $"Test event from OpenKCM Console for webhook '{webhookName}'.");
        });

    /// <summary>UTC, milliseconds, 'Z': the one time format of the contract.</summary>
    public static string Time(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>StatusCritical</c> → <c>status_critical</c>.</summary>
    public static string Snake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(pascal[i]));
        }

        return sb.ToString();
    }

    private static string Write(Guid eventId, string type, DateTimeOffset createdAt, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", eventId);
            w.WriteString("type", type);
            w.WriteString("created_at", Time(createdAt));
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

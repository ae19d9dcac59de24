using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Maps Vault error answers (<c>{"errors":[...]}</c> + status) and transport failures to typed
/// <see cref="KeystoreException"/>s. Server messages are passed through <see cref="Redact"/> first: OpenBao echoes
/// some inputs (e.g. <c>invalid secret_id "..."</c>).
/// </summary>
internal static class VaultErrors
{
    public const string LoginFailureKey = "openbao.login_failure";

    private const int MaxServerMessageLength = 400;

    public static string Capability(VaultOperation operation) => operation switch
    {
        VaultOperation.LookupSelf or VaultOperation.ReadKey or VaultOperation.Health => "read",
        VaultOperation.ListKeys => "list",
        _ => "update",
    };

    public static string Describe(VaultOperation operation) => operation switch
    {
        VaultOperation.Health => "the health check",
        VaultOperation.Login => "the AppRole login",
        VaultOperation.LookupSelf => "the token lookup",
        VaultOperation.RenewSelf => "the token renewal",
        VaultOperation.ReadKey => "the key read",
        VaultOperation.Encrypt => "encrypt",
        VaultOperation.Decrypt => "decrypt",
        VaultOperation.ListKeys => "listing the keys",
        _ => operation.ToString(),
    };

    /// <summary>The server's messages, without any of <paramref name="sensitive"/>, shortened.</summary>
    public static string ServerMessage(VaultResponse response, IReadOnlyList<string> sensitive)
    {
        var text = Redact(string.Join("; ", response.Errors), sensitive);
        return text.Length > MaxServerMessageLength ? text[..MaxServerMessageLength] + "…" : text;
    }

    public static string Redact(string text, IReadOnlyList<string> sensitive)
    {
        foreach (var s in sensitive)
        {
            if (!string.IsNullOrEmpty(s))
            {
                text = text.Replace(s, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The exception for an answer that is not the expected success.</summary>
    public static KeystoreException FromResponse(VaultOperation operation, string path, VaultResponse response, IReadOnlyList<string> sensitive)
    {
        var message = ServerMessage(response, sensitive);
        var said = message.Length > 0 ? $" (OpenBao said: {message})" : "";
        var what = Describe(operation);
        var code = response.Status.ToString(CultureInfo.InvariantCulture);
        var lower = message.ToLowerInvariant();

        if (response.NotJson && response.Status is >= 200 and < 300)
        {
            return new(KeystoreErrorKind.InvalidResponse,
                $"The answer to {what} is not OpenBao's JSON: is vault_address the OpenBao API (usually port 8200)?") { VendorCode = code };
        }

        return response.Status switch
        {
            >= 200 and < 300 => new(KeystoreErrorKind.InvalidResponse,
                $"OpenBao's answer to {what} on {path} lacks the expected data.") { VendorCode = code },
            301 or 302 or 307 or 308 => new(KeystoreErrorKind.Unavailable,
                $"OpenBao redirected {what} to {response.Location?.GetLeftPart(UriPartial.Authority) ?? "another node"}: this address "
                + "is a standby node that does not forward requests. Use the active node's or the cluster's load-balanced address.")
            { VendorCode = code },
            400 when operation is VaultOperation.Encrypt or VaultOperation.Decrypt && lower.Contains("key not found", StringComparison.Ordinal) =>
                new(KeystoreErrorKind.KeyNotFound, $"OpenBao has no transit key for {path}{said}.") { VendorCode = code },
            400 when operation is VaultOperation.Decrypt => new(KeystoreErrorKind.InvalidResponse,
                $"OpenBao could not decrypt with {path}{said}: the wrapped value or its associated data does not belong to this key.")
            { VendorCode = code },
            400 when operation == VaultOperation.Login => new(KeystoreErrorKind.AuthenticationFailed,
                $"OpenBao refused the AppRole login{said}.") { VendorCode = code },
            400 => new(KeystoreErrorKind.InvalidResponse, $"OpenBao rejected {what} on {path} as invalid{said}.") { VendorCode = code },
            401 or 403 when operation == VaultOperation.Login => new(KeystoreErrorKind.AuthenticationFailed,
                $"OpenBao refused the AppRole login{said}.") { VendorCode = code },
            401 or 403 => new(KeystoreErrorKind.PermissionDenied,
                $"OpenBao denied '{Capability(operation)}' on '{path}'{said}: the token's policy does not grant it, or the token expired.")
            {
                VendorCode = code,
                Permission = $"{Capability(operation)} on {path}",
            },
            404 when operation is VaultOperation.ReadKey or VaultOperation.Encrypt or VaultOperation.Decrypt =>
                new(KeystoreErrorKind.KeyNotFound, lower.Contains("no handler for route", StringComparison.Ordinal)
                    ? $"No secrets engine is mounted where {path} points{said}."
                    : $"OpenBao has no transit key at {path}.") { VendorCode = code },
            404 => new(KeystoreErrorKind.InvalidResponse,
                $"OpenBao has no endpoint for {what} at {path}{said}: is vault_address the OpenBao API address?") { VendorCode = code },
            429 => new(KeystoreErrorKind.Throttled,
                $"OpenBao is rate-limiting {what}{said}.") { VendorCode = code, RetryAfter = response.RetryAfter },
            500 or 502 => new(KeystoreErrorKind.Unavailable, $"OpenBao failed to serve {what}{said}.") { VendorCode = code },
            501 => new(KeystoreErrorKind.Unavailable, $"OpenBao is not initialized{said}.") { VendorCode = code },
            503 => new(KeystoreErrorKind.Unavailable,
                $"OpenBao is unavailable: sealed, in maintenance or without a reachable storage{said}.") { VendorCode = code },
            _ when response.NotJson => new(KeystoreErrorKind.InvalidResponse,
                $"OpenBao answered {what} with status {code} and a body that is not its JSON: is vault_address the OpenBao API?")
            { VendorCode = code },
            _ => new(KeystoreErrorKind.InvalidResponse, $"OpenBao answered {what} with unexpected status {code}{said}.") { VendorCode = code },
        };
    }

    /// <summary>The exception for a request that got no HTTP answer at all.</summary>
    public static KeystoreException FromTransport(VaultOperation operation, Uri address, Exception ex)
    {
        var where = address.GetLeftPart(UriPartial.Authority);
        var what = Describe(operation);
        if (ex is HttpRequestException http)
        {
            switch (http.HttpRequestError)
            {
                case HttpRequestError.NameResolutionError:
                    return new(KeystoreErrorKind.Unreachable,
                        $"The host name of {where} could not be resolved (DNS): check vault_address.", ex);
                case HttpRequestError.ConnectionError when FindSocketError(ex) == SocketError.ConnectionRefused:
                    return new(KeystoreErrorKind.Unreachable,
                        $"Connection to {where} was refused: nothing listens on that port (is OpenBao running, is the port right?).", ex);
                case HttpRequestError.ConnectionError:
                    return new(KeystoreErrorKind.Unreachable,
                        $"Could not connect to {where} for {what}: {FindSocketError(ex)?.ToString() ?? "the connection failed"}.", ex);
                case HttpRequestError.SecureConnectionError:
                    return new(KeystoreErrorKind.InvalidConfiguration,
                        $"The TLS handshake with {where} failed{TlsReason(ex)}. If OpenBao's certificate is issued by a private CA, "
                        + "paste that CA into ca_certificate; the certificate must also name the host in vault_address.", ex);
                case HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse:
                    return new(KeystoreErrorKind.InvalidResponse,
                        $"{where} closed the connection or answered something that is not HTTP during {what}: is it the OpenBao API "
                        + "(https vs http, right port)?", ex);
                default:
                    break;
            }
        }

        return new(KeystoreErrorKind.Unreachable, $"{what} at {where} failed: the connection was lost ({ex.GetType().Name}).", ex);
    }

    public static KeystoreException TimedOut(VaultOperation operation, Uri address, TimeSpan timeout, Exception ex) =>
        new(KeystoreErrorKind.TimedOut,
            $"OpenBao at {address.GetLeftPart(UriPartial.Authority)} did not answer {Describe(operation)} within {Format(timeout)}.", ex);

    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0} ms",
        { TotalSeconds: < 120 } => $"{value.TotalSeconds:0.#} s",
        { TotalMinutes: < 120 } => $"{value.TotalMinutes:0.#} min",
        _ => $"{value.TotalHours:0.#} h",
    };

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }

    private static string TlsReason(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is AuthenticationException a)
            {
                return $" ({a.Message.TrimEnd('.')})";
            }
        }

        return "";
    }
}

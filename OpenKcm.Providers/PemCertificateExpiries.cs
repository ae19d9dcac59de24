using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers;

/// <summary>
/// The expiry of each certificate in a PEM text, for <see cref="IKeystorePlugin.DescribeExpiries"/>. Lenient on
/// purpose: blocks that are not certificates, or do not parse, are skipped (the plugin's validator reports them), and it
/// never throws or quotes PEM content.
/// </summary>
internal static class PemCertificateExpiries
{
    public static IEnumerable<ExpiryItem> From(string? pem, string what)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            yield break;
        }

        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var base64 = rest.Span[fields.Base64Data].ToString();
            rest = rest[fields.Location.End..];
            if (label != "CERTIFICATE")
            {
                continue;
            }

            ExpiryItem? item;
            try
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64));
                item = new ExpiryItem(what, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), certificate.Subject);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                item = null;
            }

            if (item is not null)
            {
                yield return item;
            }
        }
    }
}

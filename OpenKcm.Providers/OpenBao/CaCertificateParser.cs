using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenKcm.Providers.OpenBao;

/// <summary>Parses the <c>ca_certificate</c> PEM: one or more CERTIFICATE blocks and nothing else.</summary>
internal static class CaCertificateParser
{
    public static bool TryParse(string pem, out ImmutableArray<X509Certificate2> certificates, out string? error)
    {
        certificates = [];
        var builder = ImmutableArray.CreateBuilder<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                Dispose(builder);
                error = "This contains a private key. Paste only the CA certificate (never a key) and keep the key where it is.";
                return false;
            }

            if (label != "CERTIFICATE")
            {
                Dispose(builder);
                error = $"Found a '{label}' block; only '-----BEGIN CERTIFICATE-----' blocks are accepted.";
                return false;
            }

            try
            {
                var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                builder.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                Dispose(builder);
                error = $"Certificate {builder.Count + 1} could not be read as an X.509 certificate.";
                return false;
            }

            rest = rest[fields.Location.End..];
        }

        if (builder.Count == 0)
        {
            error = "No certificate found. Paste the PEM text of the CA certificate, starting with "
                + "-----BEGIN CERTIFICATE----- and ending with -----END CERTIFICATE-----.";
            return false;
        }

        error = null;
        certificates = builder.ToImmutable();
        return true;
    }

    /// <summary>A stable identity of a CA set, used to share one HTTP handler per (address, CA).</summary>
    public static string Fingerprint(ImmutableArray<X509Certificate2> certificates) =>
        string.Join(',', certificates.Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)).Order(StringComparer.Ordinal));

    private static void Dispose(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var c in certificates)
        {
            c.Dispose();
        }
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.ThalesLuna.Pki;

/// <summary>
/// The NTLS client identity a real Luna setup has (<c>vtl createCert</c> on the client, <c>client register</c> on the
/// appliance): a sandbox CA and a client certificate it issued, with the client's private key, for the plugin's
/// <c>ca_certificate</c>, <c>client_certificate</c> and <c>client_private_key</c> fields. EC P-256, PEM (PKCS#8 key).
/// The appliances do not check it (they do not speak TLS); it exists so the wizard's certificate checks run on real,
/// consistent material. Kept in <see cref="DirectoryName"/> (0700; the key file 0600). <see cref="ToString"/> leaves
/// the key out.
/// </summary>
internal sealed record LunaClientPki(string CaCertificatePem, string ClientCertificatePem, string ClientPrivateKeyPem)
{
    public const string DirectoryName = "thales-luna-pki";
    public const string CaFileName = "ca-certificate.pem";
    public const string ClientFileName = "client-certificate.pem";
    public const string KeyFileName = "client-private-key.pem";
    public const string ClientSubject = "CN=openkcm-console, O=OpenKCM sandbox";
    public const string CaSubject = "CN=OpenKCM sandbox Luna CA, O=OpenKCM sandbox";

    /// <summary>A certificate closer than this to its end is issued again at start.</summary>
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(30);

    /// <summary>
    /// Reuses the files in <paramref name="directory"/> when <paramref name="reuse"/> and they are consistent (the
    /// client certificate chains to the CA, matches the key and is valid for another 30 days); else issues new ones.
    /// </summary>
    /// <exception cref="IOException">The files cannot be written.</exception>
    public static async Task<LunaClientPki> EnsureAsync(string directory, bool reuse, ILogger logger, CancellationToken cancellationToken)
    {
        if (reuse)
        {
            if (TryLoad(directory, out var existing, out var reason))
            {
                return existing!;
            }

            if (reason is not null)
            {
                logger.LogWarning("Sandbox thales_luna issues a new client certificate and CA in {Directory}: {Reason}", directory, reason);
            }
        }

        var pki = Issue(DateTimeOffset.UtcNow);
        PrivateFile.CreateDirectory(directory);
        await PrivateFile.WriteAsync(Path.Combine(directory, KeyFileName), pki.ClientPrivateKeyPem, cancellationToken).ConfigureAwait(false);
        await PrivateFile.WriteAsync(Path.Combine(directory, ClientFileName), pki.ClientCertificatePem, cancellationToken).ConfigureAwait(false);
        await PrivateFile.WriteAsync(Path.Combine(directory, CaFileName), pki.CaCertificatePem, cancellationToken).ConfigureAwait(false);
        return pki;
    }

    public override string ToString() => $"LunaClientPki {{ CA = {CaSubject}, client = {ClientSubject}, private key redacted }}";

    private static LunaClientPki Issue(DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(CaSubject, caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddYears(2));

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest(ClientSubject, clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        clientRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        clientRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(clientRequest.PublicKey, false));
        clientRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var client = clientRequest.Create(ca, now.AddHours(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(16));

        return new LunaClientPki(ca.ExportCertificatePem() + "\n", client.ExportCertificatePem() + "\n",
            clientKey.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static bool TryLoad(string directory, out LunaClientPki? pki, out string? reason)
    {
        pki = null;
        var paths = new[] { CaFileName, ClientFileName, KeyFileName }.Select(name => Path.Combine(directory, name)).ToArray();
        if (!paths.All(File.Exists))
        {
            reason = paths.Any(File.Exists) ? "some of its files are missing" : null;
            return false;
        }

        try
        {
            var (caPem, clientPem, keyPem) = (File.ReadAllText(paths[0]), File.ReadAllText(paths[1]), File.ReadAllText(paths[2]));
            using var ca = X509Certificate2.CreateFromPem(caPem);
            using var client = X509Certificate2.CreateFromPem(clientPem);
            using var key = ECDsa.Create();
            key.ImportFromPem(keyPem);
            reason = !client.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo())
                ? "the private key does not belong to the client certificate"
                : client.NotAfter.ToUniversalTime() - DateTime.UtcNow < s_renewBefore || ca.NotAfter.ToUniversalTime() - DateTime.UtcNow < s_renewBefore
                    ? "a certificate expires within 30 days"
                    : !ChainsTo(client, ca) ? "the client certificate was not issued by the CA" : null;
            if (reason is null)
            {
                pki = new LunaClientPki(caPem, clientPem, keyPem);
                return true;
            }
        }
        catch (Exception error) when (error is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // Never the message of a PEM parser: it could quote the file.
            reason = $"its files cannot be read ({error.GetType().Name})";
        }

        return false;
    }

    private static bool ChainsTo(X509Certificate2 client, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        return chain.Build(client);
    }
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// Checks of the NTLS client identity: the client certificate, the CA that issued the appliance's and the client's
/// certificates, and (in Test Connection, where the secret is available) the client's private key. Messages never quote
/// PEM content, and never anything of the private key.
/// </summary>
internal static class LunaCertificates
{
    /// <summary>Exactly one CERTIFICATE block; a private key pasted here is refused.</summary>
    public static X509Certificate2? ParseOne(string pem, string what, out string? error)
    {
        var all = ParseAll(pem, what, out error);
        if (all.IsDefaultOrEmpty)
        {
            return null;
        }

        if (all.Length > 1)
        {
            foreach (var c in all)
            {
                c.Dispose();
            }

            error = $"Paste only the {what} (one certificate); this has {all.Length}.";
            return null;
        }

        return all[0];
    }

    /// <summary>One or more CERTIFICATE blocks and nothing else.</summary>
    public static ImmutableArray<X509Certificate2> ParseAll(string pem, string what, out string? error)
    {
        var builder = ImmutableArray.CreateBuilder<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                DisposeAll(builder);
                error = $"This contains a private key. Paste only the {what}; the private key goes in its own secret field.";
                return [];
            }

            if (label != "CERTIFICATE")
            {
                DisposeAll(builder);
                error = $"Found a '{label}' block; the {what} is a '-----BEGIN CERTIFICATE-----' block.";
                return [];
            }

            try
            {
                builder.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                DisposeAll(builder);
                error = $"The {what} could not be read as an X.509 certificate (damaged base64 or DER).";
                return [];
            }

            rest = rest[fields.Location.End..];
        }

        if (builder.Count == 0)
        {
            error = $"No certificate found. Paste the PEM text of the {what}, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.";
            return [];
        }

        error = null;
        return builder.ToImmutable();
    }

    /// <summary>Null when <paramref name="certificate"/> is valid at <paramref name="now"/>, else why not.</summary>
    public static string? ValidityError(X509Certificate2 certificate, string what, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return $"The {what} ({certificate.Subject}) is not valid yet: valid from {certificate.NotBefore.ToUniversalTime():u}.";
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return $"The {what} ({certificate.Subject}) expired on {certificate.NotAfter.ToUniversalTime():u}.";
        }

        return null;
    }

    /// <summary>Null when <paramref name="client"/> chains to one of <paramref name="cas"/> (time and revocation not judged here).</summary>
    public static string? IssuerError(X509Certificate2 client, ImmutableArray<X509Certificate2> cas)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(cas.ToArray());
        if (chain.Build(client))
        {
            return null;
        }

        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return $"The client certificate ({client.Subject}, issued by {client.Issuer}) was not issued by the CA certificate "
            + $"({string.Join("; ", cas.Select(c => c.Subject))}): {status}.";
    }

    /// <summary>
    /// Null when <paramref name="keyPem"/> is an unencrypted RSA or EC private key whose public half is the one in
    /// <paramref name="client"/>; else why not (never with key content).
    /// </summary>
    public static string? KeyMatchError(X509Certificate2 client, ReadOnlySpan<char> keyPem)
    {
        if (!PemEncoding.TryFind(keyPem, out var fields))
        {
            return "The client private key is not PEM text (-----BEGIN PRIVATE KEY----- ...).";
        }

        var label = keyPem[fields.Label].ToString();
        if (label == "ENCRYPTED PRIVATE KEY")
        {
            return "The client private key is encrypted with a passphrase; store the unencrypted PKCS#8 key (openssl pkcs8 -nocrypt).";
        }

        if (label is not ("PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY"))
        {
            return $"The client private key field holds a '{label}' block, not a private key.";
        }

        byte[]? keyInfo = null;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(keyPem);
            keyInfo = rsa.ExportSubjectPublicKeyInfo();
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            try
            {
                using var ec = ECDsa.Create();
                ec.ImportFromPem(keyPem);
                keyInfo = ec.ExportSubjectPublicKeyInfo();
            }
            catch (Exception ex2) when (ex2 is CryptographicException or ArgumentException)
            {
                return "The client private key could not be read as an RSA or EC private key.";
            }
        }

        var certificateKey = client.PublicKey.ExportSubjectPublicKeyInfo();
        return CryptographicOperations.FixedTimeEquals(keyInfo, certificateKey)
            ? null
            : $"The client private key does not belong to the client certificate ({client.Subject}): their public keys differ.";
    }

    public static void DisposeAll(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var c in certificates)
        {
            c.Dispose();
        }
    }
}

using System.Net;
using System.Text;
using OpenKcm.Core.Plugins;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>Pure validation of the Thales Luna settings (no I/O), shared by the wizard, Test Connection and Connect.</summary>
internal static class ThalesLunaSettingsValidator
{
    /// <summary>
    /// Field errors of <paramref name="settings"/> judged at <paramref name="now"/> (certificate validity).
    /// <paramref name="pinSet"/>: whether the partition PIN is in the vault; null skips that rule (the runtime resolves
    /// the secret itself). <paramref name="options"/>: when given, the library path must be on its allowlist.
    /// </summary>
    public static List<FieldError> Validate(KeystoreSettings settings, bool? pinSet, DateTimeOffset now, ThalesLunaOptions? options = null)
    {
        var errors = new List<FieldError>();
        var addresses = settings.GetList(F.HsmIpAddresses);
        if (addresses.IsEmpty)
        {
            errors.Add(new(F.HsmIpAddresses, "Enter the address of at least one Luna appliance (IPv4, IPv6 or host name), one per line."));
        }

        foreach (var address in addresses)
        {
            if (AddressError(address) is { } error)
            {
                errors.Add(new(F.HsmIpAddresses, error));
            }
        }

        if (addresses.Distinct(StringComparer.OrdinalIgnoreCase).Count() != addresses.Length)
        {
            errors.Add(new(F.HsmIpAddresses, "An appliance address is listed twice."));
        }

        if (settings.Get(F.NtlsPort) is { } port && settings.GetInt(F.NtlsPort) is not (>= 1 and <= 65535))
        {
            errors.Add(new(F.NtlsPort, $"'{port}' is not a TCP port (1-65535). Luna NTLS listens on 1792 unless changed."));
        }

        var partition = settings.Get(F.PartitionLabel);
        if (partition is null)
        {
            errors.Add(new(F.PartitionLabel, "Enter the label of the Luna partition that holds the L1 key, e.g. openkcm_partition."));
        }
        else if (LabelError(partition, "partition label") is { } error)
        {
            errors.Add(new(F.PartitionLabel, error));
        }

        if (settings.Get(F.SlotId) is { } slot && settings.GetInt(F.SlotId) is not >= 0)
        {
            errors.Add(new(F.SlotId, $"'{slot}' is not a slot number (0 or more). Leave it empty: the partition is found by its label."));
        }

        var library = settings.Get(F.Pkcs11LibraryPath);
        if (library is null)
        {
            errors.Add(new(F.Pkcs11LibraryPath, $"Enter the path of the Luna client's PKCS#11 library ({F.DefaultLibraryPath})."));
        }
        else if (!Path.IsPathFullyQualified(library) || library.Any(char.IsControl))
        {
            errors.Add(new(F.Pkcs11LibraryPath, $"Give the absolute path of the library file, e.g. {F.DefaultLibraryPath}."));
        }
        else if (options?.LibraryNotAllowed(library) is { } notAllowed)
        {
            errors.Add(new(F.Pkcs11LibraryPath, notAllowed + " " + ThalesLunaOptions.LibraryNotAllowedRemedy));
        }

        if (pinSet == false)
        {
            errors.Add(new(F.PartitionPin, "Enter the partition's Crypto Officer PIN; it is stored encrypted and never shown again."));
        }

        var key = settings.Get(F.KeyLabel);
        if (key is null)
        {
            errors.Add(new(F.KeyLabel, "Enter the label of the L1 key in the partition (CKA_LABEL), e.g. openkcm-l1."));
        }
        else if (key.Length > 128 || key.Any(c => char.IsControl(c) || c == '"'))
        {
            errors.Add(new(F.KeyLabel, "A key label is at most 128 characters, without line breaks or double quotes."));
        }

        ValidateCertificates(settings, now, errors);
        return errors;
    }

    /// <summary>Null for an IPv4/IPv6 address or DNS host name without a port, else why not.</summary>
    public static string? AddressError(string address)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip.AddressFamily is System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6
                && !address.Contains('%', StringComparison.Ordinal)
                ? null
                : $"'{address}' is not a usable IPv4 or IPv6 address.";
        }

        if (address.Contains(':', StringComparison.Ordinal) && address.Count(c => c == ':') == 1)
        {
            return $"'{address}' has a port; enter the address alone and the port in the NTLS port field.";
        }

        return Uri.CheckHostName(address) == UriHostNameType.Dns && address.Length <= 253
            ? null
            : $"'{address}' is neither an IP address nor a host name.";
    }

    /// <summary>PKCS#11 token labels are at most 32 bytes of UTF-8; the generated commands also need no quotes or controls.</summary>
    public static string? LabelError(string label, string what) =>
        Encoding.UTF8.GetByteCount(label) > 32
            ? $"A {what} is at most 32 bytes (PKCS#11 token labels are 32 bytes)."
            : label.Any(c => char.IsControl(c) || c == '"')
                ? $"A {what} has no line breaks or double quotes."
                : null;

    private static void ValidateCertificates(KeystoreSettings settings, DateTimeOffset now, List<FieldError> errors)
    {
        using var client = settings.Get(F.ClientCertificate) is { } clientPem
            ? Parse(clientPem, F.ClientCertificate, "client certificate", now, errors)
            : null;
        string? caError = null;
        var cas = settings.Get(F.CaCertificate) is { } caPem
            ? LunaCertificates.ParseAll(caPem, "CA certificate", out caError)
            : [];
        try
        {
            if (caError is not null)
            {
                errors.Add(new(F.CaCertificate, caError));
            }

            foreach (var ca in cas)
            {
                if (LunaCertificates.ValidityError(ca, "CA certificate", now) is { } error)
                {
                    errors.Add(new(F.CaCertificate, error));
                }
            }

            if (client is not null && !cas.IsDefaultOrEmpty && LunaCertificates.IssuerError(client, cas) is { } issuer)
            {
                errors.Add(new(F.ClientCertificate, issuer));
            }
        }
        finally
        {
            LunaCertificates.DisposeAll(cas);
        }
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2? Parse(
        string pem, string field, string what, DateTimeOffset now, List<FieldError> errors)
    {
        var certificate = LunaCertificates.ParseOne(pem, what, out var error);
        if (certificate is null)
        {
            errors.Add(new(field, error!));
            return null;
        }

        if (LunaCertificates.ValidityError(certificate, what, now) is { } validity)
        {
            errors.Add(new(field, validity));
        }

        return certificate;
    }
}

using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>The validated, non-secret Thales Luna settings of one keystore version. Immutable.</summary>
internal sealed record ThalesLunaConfiguration(
    ImmutableArray<string> Appliances,
    int NtlsPort,
    string PartitionLabel,
    int? SlotId,
    string LibraryPath,
    string KeyLabel,
    string? ClientCertificatePem,
    string? CaCertificatePem)
{
    /// <summary>Parses settings that must be valid.</summary>
    /// <exception cref="KeystoreException"><see cref="KeystoreErrorKind.InvalidConfiguration"/> naming every invalid field.</exception>
    public static ThalesLunaConfiguration Parse(KeystoreSettings settings, DateTimeOffset now)
    {
        var errors = ThalesLunaSettingsValidator.Validate(settings, pinSet: null, now);
        if (errors.Count > 0)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "The Thales Luna configuration is invalid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        return new ThalesLunaConfiguration(
            settings.GetList(F.HsmIpAddresses),
            settings.GetInt(F.NtlsPort) ?? F.DefaultNtlsPort,
            settings.Get(F.PartitionLabel)!,
            settings.GetInt(F.SlotId),
            settings.Get(F.Pkcs11LibraryPath)!,
            settings.Get(F.KeyLabel)!,
            settings.Get(F.ClientCertificate),
            settings.Get(F.CaCertificate));
    }
}

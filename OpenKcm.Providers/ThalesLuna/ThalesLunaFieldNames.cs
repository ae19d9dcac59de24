namespace OpenKcm.Providers.ThalesLuna;

/// <summary>The configuration field names of the Thales Luna plugin, as in the seed JSON.</summary>
public static class ThalesLunaFieldNames
{
    public const string HsmIpAddresses = "hsm_ip_addresses";
    public const string NtlsPort = "ntls_port";
    public const string PartitionLabel = "partition_label";
    public const string SlotId = "slot_id";
    public const string Pkcs11LibraryPath = "pkcs11_library_path";
    public const string PartitionPin = "partition_pin";
    public const string KeyLabel = "key_label";
    public const string ClientCertificate = "client_certificate";
    public const string ClientPrivateKey = "client_private_key";
    public const string CaCertificate = "ca_certificate";

    /// <summary>Where the Luna Universal Client installs its 64-bit PKCS#11 library on Linux.</summary>
    public const string DefaultLibraryPath = "/usr/safenet/lunaclient/lib/libCryptoki2_64.so";

    /// <summary>The Luna Network Trust Link Service port.</summary>
    public const int DefaultNtlsPort = 1792;
}

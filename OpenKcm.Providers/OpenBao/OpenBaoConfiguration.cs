using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Validated, normalized OpenBao settings of one keystore version. Immutable; the owner (a connection or a Test
/// Connection run) disposes it to release the parsed CA certificates.
/// </summary>
internal sealed class OpenBaoConfiguration : IDisposable
{
    /// <summary>The API base with a trailing slash; requests go to <c>{Address}v1/...</c>.</summary>
    public required Uri Address { get; init; }

    public required string RoleId { get; init; }

    public string? SecretIdPath { get; init; }

    /// <summary>Transit mount without leading or trailing slash.</summary>
    public required string MountPath { get; init; }

    public required string KeyName { get; init; }

    /// <summary>Namespace without surrounding slashes, or null for the root namespace.</summary>
    public string? Namespace { get; init; }

    public ImmutableArray<X509Certificate2> CaCertificates { get; init; } = [];

    public string KeyPath => $"{MountPath}/keys/{KeyName}";

    public string EncryptPath => $"{MountPath}/encrypt/{KeyName}";

    public string DecryptPath => $"{MountPath}/decrypt/{KeyName}";

    public string ListKeysPath => $"{MountPath}/keys";

    public void Dispose()
    {
        foreach (var certificate in CaCertificates)
        {
            certificate.Dispose();
        }
    }

    /// <summary>
    /// Parses <paramref name="settings"/>; throws <see cref="KeystoreException"/> (InvalidConfiguration) listing every
    /// invalid field. The secret_id source rule is checked later, when the secret is resolved.
    /// </summary>
    public static OpenBaoConfiguration Parse(KeystoreSettings settings, SecretIdLocations secretIdLocations)
    {
        var errors = OpenBaoSettingsValidator.Validate(settings, secretIdStored: null, secretIdLocations);
        if (errors.Count > 0)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "The configuration is not valid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        var address = settings.Get(OpenBaoFieldNames.VaultAddress)!;
        var ns = settings.Get(OpenBaoFieldNames.Namespace) is { } n ? OpenBaoSettingsValidator.NormalizePath(n) : null;
        var certificates = ImmutableArray<X509Certificate2>.Empty;
        if (settings.Get(OpenBaoFieldNames.CaCertificate) is { } pem)
        {
            _ = CaCertificateParser.TryParse(pem, out certificates, out _);
        }

        return new OpenBaoConfiguration
        {
            Address = new Uri(address.EndsWith('/') ? address : address + "/", UriKind.Absolute),
            RoleId = settings.Get(OpenBaoFieldNames.RoleId)!,
            SecretIdPath = settings.Get(OpenBaoFieldNames.SecretIdPath),
            MountPath = OpenBaoSettingsValidator.NormalizePath(settings.Get(OpenBaoFieldNames.MountPath)!),
            KeyName = settings.Get(OpenBaoFieldNames.KeyName)!,
            Namespace = string.IsNullOrEmpty(ns) ? null : ns,
            CaCertificates = certificates,
        };
    }
}

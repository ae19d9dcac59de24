using System.Globalization;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Operations;

public static class TestKeystores
{
    public const string Kind = "fake";
    public const string NameField = "name";
    public const string VersionField = "version";

    public static readonly Guid TenantId = Guid.Parse("0b9e6c1e-58b4-4a5c-9a55-2f3d1f1f0001");

    /// <summary>An active keystore whose settings carry its name and version, so fakes can tell them apart.</summary>
    public static ActiveKeystore Create(string name, int version = 1, Guid? id = null, string kind = Kind) => new()
    {
        Id = id ?? Guid.NewGuid(),
        TenantId = TenantId,
        TenantName = "acme",
        Name = name,
        Kind = kind,
        Version = version,
        Settings = KeystoreSettings.Empty
            .With(NameField, name)
            .With(VersionField, version.ToString(CultureInfo.InvariantCulture)),
        Secrets = InMemorySecretResolver.None,
    };

    public static ActiveKeystore NextVersion(ActiveKeystore keystore) =>
        Create(keystore.Name, keystore.Version + 1, keystore.Id, keystore.Kind);
}

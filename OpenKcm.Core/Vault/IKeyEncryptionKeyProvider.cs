namespace OpenKcm.Core.Vault;

/// <summary>
/// Supplies the key encryption key (KEK) the credential vault wraps data keys with. Singleton; thread-safe; the
/// provider owns the returned key (callers never dispose it). Future sources (an HSM through PKCS#11) implement this.
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>
    /// The current KEK, loaded (or created) on first call and cached. Throws <see cref="KekConfigurationException"/>
    /// with a message saying how to fix the configuration when the key cannot be loaded safely.
    /// </summary>
    KeyEncryptionKey GetCurrent();

    /// <summary>Where the current KEK comes from, for the startup log (never the key itself).</summary>
    string Source { get; }
}

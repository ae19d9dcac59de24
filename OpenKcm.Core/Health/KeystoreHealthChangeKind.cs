namespace OpenKcm.Core.Health;

public enum KeystoreHealthChangeKind
{
    /// <summary>The keystore was added or its health changed; <see cref="KeystoreHealthChange.Health"/> is set.</summary>
    Upserted,

    /// <summary>The keystore is no longer active and left the snapshot.</summary>
    Removed,
}

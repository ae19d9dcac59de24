namespace OpenKcm.Core.Keystores;

/// <summary>
/// What saving (or rolling back) a configuration produced: the version now current, and whether it is new
/// (<see cref="Created"/> is false when nothing changed, so no version was added).
/// </summary>
public sealed record SavedKeystoreVersion(KeystoreVersionInfo Version, bool Created);

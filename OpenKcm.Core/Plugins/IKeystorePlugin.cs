using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Plugins;

/// <summary>
/// A keystore type (AWS KMS, OpenBao, ...). One instance per process, registered in DI and found through
/// <see cref="PluginRegistry"/>. Implementations are thread-safe and stateless apart from pooled HTTP handlers;
/// long-lived state lives in the <see cref="IKeystoreConnection"/> returned by <see cref="ConnectAsync"/>.
/// </summary>
public interface IKeystorePlugin
{
    /// <summary>What the wizard renders: kind id, fields, checks, thresholds.</summary>
    PluginDescriptor Descriptor { get; }

    /// <summary>
    /// Pure validation of the non-secret settings (no I/O). <paramref name="secretsSet"/> names the secret fields
    /// that have a value in the vault (or were just entered), so "one of secret_id / secret_id_path" can be checked.
    /// Returns one error per offending field; an empty list means valid.
    /// </summary>
    IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet);

    /// <summary>What the administrator must set up on the keystore side, generated from the entered values.</summary>
    PermissionGuidance GetPermissionGuidance(KeystoreSettings settings);

    /// <summary>
    /// Runs the checks of <see cref="PluginDescriptor.Checks"/> in order, yielding each result as soon as it is known.
    /// After a failed check the remaining checks are yielded as <see cref="CheckOutcome.Skipped"/>. Never throws for
    /// keystore-side failures (they become failed checks); throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled. The last element is always the last descriptor check.
    /// </summary>
    IAsyncEnumerable<CheckResult> TestConnectionAsync(
        KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a long-lived connection for key operations and health probes. The caller owns and disposes it.
    /// Throws <see cref="KeystoreException"/> when the keystore cannot be reached or authenticated.
    /// </summary>
    Task<IKeystoreConnection> ConnectAsync(
        KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken);

    /// <summary>
    /// What in <paramref name="settings"/> expires at a known time (certificates, credentials with a fixed lifetime),
    /// read from the non-secret settings alone: pure, no I/O, never throws for unreadable values (they are the
    /// validator's business and are skipped here). Default: nothing, for keystore types whose credentials have no
    /// expiry the console can know without calling out.
    /// </summary>
    IReadOnlyList<ExpiryItem> DescribeExpiries(KeystoreSettings settings) => [];
}

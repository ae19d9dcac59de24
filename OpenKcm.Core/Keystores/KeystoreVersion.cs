namespace OpenKcm.Core.Keystores;

/// <summary>
/// Persisted configuration version (table <c>keystore_versions</c>). Settings and secret references are frozen at
/// creation; only the test result is written later.
/// </summary>
internal sealed class KeystoreVersion
{
    public required Guid KeystoreId { get; init; }

    public required int Version { get; init; }

    /// <summary>JSON object of the non-secret settings, field name → string value.</summary>
    public required string SettingsJson { get; init; }

    /// <summary>JSON object of secret field name → vault secret version.</summary>
    public required string SecretVersionsJson { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedById { get; init; }

    public required string CreatedByName { get; init; }

    public KeystoreTestOutcome? TestOutcome { get; set; }

    public DateTimeOffset? TestedAt { get; set; }

    /// <summary>JSON array of the check results of the last test of this version.</summary>
    public string? TestResultsJson { get; set; }
}

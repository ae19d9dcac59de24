using System.Collections.Immutable;
using System.Text.Json;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Keystores;

/// <summary>Row ⇄ snapshot mapping and the JSON layouts of the version columns. Pure; thread-safe.</summary>
internal static class KeystoreMapping
{
    public static KeystoreInfo ToInfo(Keystore k, string tenantName, BackupVerificationRecord? verification = null, int? backupActiveVersion = null) => new()
    {
        BackupVerification = verification,
        BackupVerified = verification is not null && verification.Covers(k.BackupKeystoreId, k.ActiveVersion, backupActiveVersion),
        Id = k.Id,
        TenantId = k.TenantId,
        TenantName = tenantName,
        Name = k.Name,
        Kind = k.Kind,
        State = k.State,
        CurrentVersion = k.CurrentVersion,
        ActiveVersion = k.ActiveVersion,
        BackupKeystoreId = k.BackupKeystoreId,
        CreatedAt = k.CreatedAt,
        UpdatedAt = k.UpdatedAt,
        LastTest = k is { LastTestVersion: { } v, LastTestOutcome: { } o, LastTestedAt: { } at } ? new KeystoreTestSummary(v, o, at) : null,
    };

    /// <summary>The stored verification when it is about <paramref name="backupKeystoreId"/>; null otherwise.</summary>
    public static BackupVerificationRecord? ToRecord(BackupVerificationRow? row, Guid? backupKeystoreId) =>
        row is not null && row.BackupKeystoreId == backupKeystoreId
            ? new BackupVerificationRecord(row.BackupKeystoreId, row.PrimaryVersion, row.BackupVersion, row.VerifiedAt)
            : null;

    public static KeystoreVersionInfo ToInfo(KeystoreVersion v) => new()
    {
        KeystoreId = v.KeystoreId,
        Version = v.Version,
        Settings = SettingsFromJson(v.SettingsJson),
        SecretVersions = SecretVersionsFromJson(v.SecretVersionsJson),
        CreatedAt = v.CreatedAt,
        CreatedBy = v.CreatedByName,
        TestOutcome = v.TestOutcome,
        TestedAt = v.TestedAt,
        TestResults = ChecksFromJson(v.TestResultsJson),
    };

    public static string SettingsToJson(KeystoreSettings settings) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(settings.Values, StringComparer.Ordinal));

    public static KeystoreSettings SettingsFromJson(string json) =>
        new((JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []).ToImmutableDictionary(StringComparer.Ordinal));

    public static string SecretVersionsToJson(IReadOnlyDictionary<string, int> versions) =>
        JsonSerializer.Serialize(new SortedDictionary<string, int>(versions.ToDictionary(), StringComparer.Ordinal));

    public static ImmutableDictionary<string, int> SecretVersionsFromJson(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? []).ToImmutableDictionary(StringComparer.Ordinal);

    public static string ChecksToJson(IEnumerable<CheckResult> results) =>
        JsonSerializer.Serialize(results.Select(r => new StoredCheck(
            r.Id, r.Outcome.ToString(), r.Duration.TotalMilliseconds, r.Detail, r.Remedy, r.ErrorKind?.ToString())));

    public static ImmutableArray<CheckResult> ChecksFromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        return
        [
            .. (JsonSerializer.Deserialize<List<StoredCheck>>(json) ?? []).Select(c =>
                new CheckResult(c.Id, Enum.Parse<CheckOutcome>(c.Outcome), TimeSpan.FromMilliseconds(c.DurationMs), c.Detail, c.Remedy)
                {
                    ErrorKind = c.ErrorKind is null ? null : Enum.Parse<KeystoreErrorKind>(c.ErrorKind),
                }),
        ];
    }

    /// <summary>Failed if any check failed or was skipped (only happens after a failure); warnings still allow activation.</summary>
    public static KeystoreTestOutcome Summarize(IReadOnlyList<CheckResult> results)
    {
        if (results.Any(r => r.Outcome is CheckOutcome.Failed or CheckOutcome.Skipped))
        {
            return KeystoreTestOutcome.Failed;
        }

        return results.Any(r => r.Outcome == CheckOutcome.Warning) ? KeystoreTestOutcome.PassedWithWarnings : KeystoreTestOutcome.Passed;
    }

    // The stored layout is ours, not CheckResult's, so renaming a record member never breaks old rows.
    private sealed record StoredCheck(string Id, string Outcome, double DurationMs, string Detail, string? Remedy, string? ErrorKind);
}

namespace OpenKcm.Core.Keystores;

/// <summary>The last Test Connection run of any version of a keystore.</summary>
public sealed record KeystoreTestSummary(int Version, KeystoreTestOutcome Outcome, DateTimeOffset TestedAt);

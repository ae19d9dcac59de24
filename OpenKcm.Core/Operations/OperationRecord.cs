using OpenKcm.Core.Audit;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// The audit record of one routed key operation (all its attempts). Holds no key material, plaintext, ciphertext,
/// associated data or secret: only who, what, where, when, how long and how it ended.
/// </summary>
public sealed record OperationRecord
{
    private readonly Guid? _servedById;
    private readonly string? _servedByName;
    private readonly int? _servedByVersion;

    /// <summary>Unique per operation (version 7, so ids sort by time).</summary>
    public required Guid OperationId { get; init; }

    public required KeyOperationKind Operation { get; init; }

    public required Actor Actor { get; init; }

    public required Guid KeystoreId { get; init; }

    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    /// <summary>The seed's <c>plugin_name</c>.</summary>
    public required string KeystoreName { get; init; }

    /// <summary>The seed's <c>plugin_type</c>.</summary>
    public required string KeystoreKind { get; init; }

    /// <summary>The primary's active configuration version when the last attempt started.</summary>
    public required int KeystoreVersion { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>From the start of the first attempt to the end of the last, backoff included.</summary>
    public required TimeSpan Duration { get; init; }

    public required KeyOperationOutcome Outcome { get; init; }

    /// <summary>1 plus the number of retries.</summary>
    public required int Attempts { get; init; }

    /// <summary>
    /// The keystore the last attempt went to: <see cref="KeystoreId"/> itself, or its backup while failed over.
    /// Defaults to <see cref="KeystoreId"/>.
    /// </summary>
    public Guid ServedByKeystoreId
    {
        get => _servedById ?? KeystoreId;
        init => _servedById = value;
    }

    /// <summary>The <c>plugin_name</c> of <see cref="ServedByKeystoreId"/>; defaults to <see cref="KeystoreName"/>.</summary>
    public string ServedByKeystoreName
    {
        get => _servedByName ?? KeystoreName;
        init => _servedByName = value;
    }

    /// <summary>The configuration version of <see cref="ServedByKeystoreId"/> the last attempt used.</summary>
    public int ServedByKeystoreVersion
    {
        get => _servedByVersion ?? KeystoreVersion;
        init => _servedByVersion = value;
    }

    /// <summary>True when the operation was routed from <see cref="KeystoreId"/> (the primary) to its backup.</summary>
    public bool RoutedToBackup => ServedByKeystoreId != KeystoreId;

    /// <summary>For failures from the keystore: the typed error.</summary>
    public KeystoreErrorKind? ErrorKind { get; init; }

    /// <summary>
    /// For failures: the <see cref="KeystoreException"/> message (secret-free by contract), or the exception type
    /// name for any other failure.
    /// </summary>
    public string? ErrorMessage { get; init; }
}

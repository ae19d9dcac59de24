namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>One secret key as <c>pkcs11-tool --list-objects</c> describes it (see <see cref="SecretKeyListing"/>).</summary>
internal sealed record ListedSecretKey
{
    /// <summary>The header's text after <c>Secret Key Object;</c>, e.g. <c>AES length 32</c> (length in bytes).</summary>
    public required string Type { get; init; }

    public string? Label { get; init; }

    /// <summary>CKA_ID in hex, when the key has one.</summary>
    public string? Id { get; init; }

    /// <summary>e.g. <c>encrypt</c>, <c>decrypt</c>, <c>wrap</c>, <c>unwrap</c>.</summary>
    public IReadOnlySet<string> Usage { get; init; } = new HashSet<string>();

    /// <summary>e.g. <c>sensitive</c>, <c>always sensitive</c>, <c>never extractable</c>, <c>extractable</c>, <c>local</c>.</summary>
    public IReadOnlySet<string> Access { get; init; } = new HashSet<string>();

    /// <summary>The tool could read CKA_VALUE: the key material is visible outside the token.</summary>
    public bool ValueReadable { get; init; }

    /// <summary>Why this key is not a proper L1 key (AES-256, sensitive, not extractable, encrypt/decrypt/wrap/unwrap), or <c>null</c>.</summary>
    public string? Problem()
    {
        var problems = new List<string>();
        if (Type != "AES length 32")
        {
            problems.Add($"it is \"{Type}\", not an AES-256 key (\"AES length 32\")");
        }

        if (ValueReadable || Access.Contains("extractable"))
        {
            problems.Add("it is extractable (its value can leave the token)");
        }
        else if (!Access.Contains("never extractable"))
        {
            problems.Add("it was extractable at some time (CKA_NEVER_EXTRACTABLE is false), so copies may exist outside the token");
        }

        if (!Access.Contains("sensitive"))
        {
            problems.Add("it is not sensitive");
        }

        var missing = new[] { "encrypt", "decrypt", "wrap", "unwrap" }.Where(usage => !Usage.Contains(usage)).ToList();
        if (missing.Count > 0)
        {
            problems.Add("it lacks the usage " + string.Join(", ", missing));
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}

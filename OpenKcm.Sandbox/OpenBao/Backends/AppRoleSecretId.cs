using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>A secret ID issued for a role: optionally limited in uses and lifetime.</summary>
internal sealed class AppRoleSecretId
{
    public required string SecretId { get; init; }

    public string Accessor { get; init; } = Guid.NewGuid().ToString();

    public required DateTimeOffset CreationTime { get; init; }

    public TimeSpan Ttl { get; init; }

    /// <summary>Remaining uses; zero means unlimited.</summary>
    public long NumUses { get; set; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> CidrList { get; init; } = [];

    public bool IsExpired(DateTimeOffset now) => Ttl > TimeSpan.Zero && now >= CreationTime + Ttl;

    public JsonObject Issued() => new()
    {
        ["secret_id"] = SecretId,
        ["secret_id_accessor"] = Accessor,
        ["secret_id_ttl"] = (long)Ttl.TotalSeconds,
        ["secret_id_num_uses"] = NumUses,
    };

    public JsonObject Describe() => new()
    {
        ["cidr_list"] = VaultFormat.Strings(CidrList),
        ["creation_time"] = VaultFormat.Rfc3339(CreationTime),
        ["expiration_time"] = Ttl > TimeSpan.Zero ? VaultFormat.Rfc3339(CreationTime + Ttl) : "0001-01-01T00:00:00Z",
        ["last_updated_time"] = VaultFormat.Rfc3339(CreationTime),
        ["metadata"] = VaultFormat.StringMap(Metadata),
        ["secret_id_accessor"] = Accessor,
        ["secret_id_num_uses"] = NumUses,
        ["secret_id_ttl"] = (long)Ttl.TotalSeconds,
        ["token_bound_cidrs"] = new JsonArray(),
    };
}

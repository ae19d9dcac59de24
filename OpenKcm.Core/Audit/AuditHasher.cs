using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Audit;

/// <summary>
/// The canonical serialization the audit chain hashes. Every field is written as <c>length:utf8-bytes</c> (or <c>~</c>
/// for null) in a fixed order, so no escaping rule or serializer version can change a hash, and no two different
/// entries serialize alike. Changing this format invalidates every existing chain: add a new version tag instead.
/// </summary>
internal static class AuditHasher
{
    public const string FormatTag = "openkcm.audit.v1";

    public static readonly string GenesisHash = new('0', 64);

    public static string Compute(AuditEntry e) =>
        Compute(e.Sequence, e.Timestamp, e.ActorId, e.ActorName, e.Action, e.TenantId, e.KeystoreId, e.Outcome,
            e.Detail, e.PreviousHash);

    public static string Compute(
        long sequence, DateTimeOffset timestamp, string actorId, string actorName, string action, Guid? tenantId,
        Guid? keystoreId, AuditOutcome outcome, string? detail, string previousHash)
    {
        var sb = new StringBuilder(256);
        Append(sb, FormatTag);
        Append(sb, sequence.ToString(CultureInfo.InvariantCulture));
        Append(sb, UtcTimestampConverter.ToText(timestamp));
        Append(sb, actorId);
        Append(sb, actorName);
        Append(sb, action);
        Append(sb, tenantId?.ToString("D"));
        Append(sb, keystoreId?.ToString("D"));
        Append(sb, outcome.ToString());
        Append(sb, detail);
        Append(sb, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static void Append(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("~|");
            return;
        }

        sb.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('|');
    }
}

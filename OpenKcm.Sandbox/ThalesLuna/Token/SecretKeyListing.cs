namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// The secret keys in the output of <c>pkcs11-tool --list-objects --type secrkey</c> (OpenSC 0.23), e.g.
/// <code>
/// Secret Key Object; AES length 32
///   label:      openkcm-l1
///   ID:         4c31
///   Usage:      encrypt, decrypt, verify, wrap, unwrap
///   Access:     sensitive, always sensitive, never extractable, local
/// </code>
/// A key whose value can be read also shows a <c>VALUE:</c> line; only the fact is kept here, never the value.
/// </summary>
internal static class SecretKeyListing
{
    private const string ObjectHeader = "Secret Key Object;";

    public static IReadOnlyList<ListedSecretKey> Parse(string output)
    {
        var keys = new List<ListedSecretKey>();
        ListedSecretKey? current = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(ObjectHeader, StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    keys.Add(current);
                }

                current = new ListedSecretKey { Type = line[ObjectHeader.Length..].Trim() };
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (current is null || !line.StartsWith(' ') || colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            current = name switch
            {
                "label" => current with { Label = value },
                "ID" => current with { Id = value },
                "Usage" => current with { Usage = Items(value) },
                "Access" => current with { Access = Items(value) },
                "VALUE" => current with { ValueReadable = true },
                _ => current,
            };
        }

        if (current is not null)
        {
            keys.Add(current);
        }

        return keys;
    }

    private static HashSet<string> Items(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}

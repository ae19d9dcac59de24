namespace OpenKcm.Sandbox.AwsKms.Auth;

/// <summary>
/// The parts of an <c>Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
/// SignedHeaders=a;b, Signature=hex</c> header.
/// </summary>
internal sealed record SigV4Authorization(
    string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
{
    public string Scope => $"{Date}/{Region}/{Service}/{SigV4.Terminator}";

    /// <summary>Parses the header; on failure returns <c>null</c> and why (never quoting the signature).</summary>
    public static SigV4Authorization? TryParse(string header, out string error)
    {
        error = "";
        if (!header.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            error = $"Authorization header requires the algorithm '{SigV4.Algorithm}'.";
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(SigV4.Algorithm.Length + 1)..].Split(','))
        {
            var item = part.Trim();
            if (item.Length == 0)
            {
                continue;
            }

            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "Authorization header has a part that is not a valid key=value pair (missing equal-sign).";
                return null;
            }

            fields[item[..equals]] = item[(equals + 1)..];
        }

        foreach (var required in new[] { "Credential", "SignedHeaders", "Signature" })
        {
            if (!fields.ContainsKey(required))
            {
                error = $"Authorization header requires '{required}' parameter.";
                return null;
            }
        }

        var credential = fields["Credential"].Split('/');
        if (credential.Length != 5 || credential.Any(string.IsNullOrEmpty))
        {
            error = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.";
            return null;
        }

        if (credential[4] != SigV4.Terminator)
        {
            error = $"Credential should be scoped with a valid terminator: '{SigV4.Terminator}'.";
            return null;
        }

        var signedHeaders = fields["SignedHeaders"].Split(';');
        if (signedHeaders.Any(h => h.Length == 0 || h != h.ToLowerInvariant()))
        {
            error = "SignedHeaders must be lower-case header names separated by ';'.";
            return null;
        }

        return new SigV4Authorization(credential[0], credential[1], credential[2], credential[3], signedHeaders, fields["Signature"]);
    }
}

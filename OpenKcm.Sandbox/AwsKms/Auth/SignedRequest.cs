namespace OpenKcm.Sandbox.AwsKms.Auth;

/// <summary>A request as the verifier needs it: method, raw path and query (as on the wire), every header, the body.</summary>
internal sealed record SignedRequest(
    string Method, string RawPath, string RawQuery, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(',', values);
    }
}

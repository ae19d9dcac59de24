using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace OpenKcm.Sandbox.Tests.AwsKms.Support;

/// <summary>An emulator answer: status, body text, the request id header, and the body parsed as KMS JSON or STS XML.</summary>
internal sealed record AwsReply(HttpStatusCode Status, string Body, string? RequestId, string? ContentType)
{
    private static readonly XNamespace s_sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public XElement Xml => XElement.Parse(Body);

    /// <summary>KMS <c>__type</c>.</summary>
    public string? ErrorType => Json["__type"]?.GetValue<string>();

    public string? ErrorMessage => Json["message"]?.GetValue<string>();

    /// <summary>STS <c>ErrorResponse/Error/Code</c>.</summary>
    public string? StsCode => Xml.Element(s_sts + "Error")?.Element(s_sts + "Code")?.Value;

    public string? StsMessage => Xml.Element(s_sts + "Error")?.Element(s_sts + "Message")?.Value;

    public string? StsType => Xml.Element(s_sts + "Error")?.Element(s_sts + "Type")?.Value;

    /// <summary>A value anywhere under the STS result, e.g. <c>AccessKeyId</c>.</summary>
    public string StsValue(string name) => Xml.Descendants(s_sts + name).Single().Value;
}

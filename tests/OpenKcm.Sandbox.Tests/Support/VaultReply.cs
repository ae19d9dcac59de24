using System.Net;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>A raw answer of the emulator: status, Content-Type, text and parsed JSON body.</summary>
internal sealed record VaultReply(HttpStatusCode Status, string? ContentType, string Text, JsonObject? Body)
{
    public JsonObject Data => Body?["data"]?.AsObject() ?? throw new InvalidOperationException($"No data in: {Text}");

    public JsonObject Auth => Body?["auth"]?.AsObject() ?? throw new InvalidOperationException($"No auth in: {Text}");

    public IReadOnlyList<string> Errors =>
        Body?["errors"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? throw new InvalidOperationException($"No errors in: {Text}");

    public IReadOnlyList<string> Warnings =>
        Body?["warnings"] is JsonArray warnings ? warnings.Select(w => w!.GetValue<string>()).ToList() : [];

    public override string ToString() => $"{(int)Status} {Text}";
}

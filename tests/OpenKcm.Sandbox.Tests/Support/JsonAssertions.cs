using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.Tests.Support;

internal static class JsonAssertions
{
    /// <summary>The strings of a JSON array (fails the test when the node is not an array of strings).</summary>
    public static List<string> Strings(this JsonNode? array) =>
        (array ?? throw new InvalidOperationException("expected a JSON array, got nothing")).AsArray()
            .Select(item => item!.GetValue<string>()).ToList();
}

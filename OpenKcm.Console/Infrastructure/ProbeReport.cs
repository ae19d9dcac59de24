using System.Text.Json.Serialization;

namespace OpenKcm.Console.Infrastructure;

/// <summary>The body of <c>/healthz</c> and <c>/readyz</c>: overall status and each check's name and status.</summary>
internal sealed record ProbeReport
{
    public required string Status { get; init; }

    public required IReadOnlyList<ProbeCheck> Checks { get; init; }
}

internal sealed record ProbeCheck
{
    public required string Name { get; init; }

    public required string Status { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProbeReport))]
internal sealed partial class ProbeJson : JsonSerializerContext;

using OpenKcm.Core.Health;

namespace OpenKcm.Console.Hubs;

/// <summary>A failure as shown to people: typed kind (e.g. <c>Unreachable</c>) or null, message, when.</summary>
public sealed record HealthErrorDto
{
    public string? Kind { get; init; }

    public required string Message { get; init; }

    public required DateTimeOffset At { get; init; }

    public static HealthErrorDto? From(KeystoreHealthError? error) =>
        error is null ? null : new() { Kind = error.Kind?.ToString(), Message = error.Message, At = error.At };
}

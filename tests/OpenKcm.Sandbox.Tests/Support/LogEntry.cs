using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.Tests.Support;

internal sealed record LogEntry(string Category, LogLevel Level, string Message);

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// Keeps the console's log lines in memory (the newest <see cref="Capacity"/>) so a failed journey can be read next
/// to its screenshot. Thread-safe: the server logs from many threads.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public const int Capacity = 5000;

    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>A copy of the captured lines, oldest first.</summary>
    public IReadOnlyList<string> Snapshot() => _lines.ToArray();

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}";
            owner.Add(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}

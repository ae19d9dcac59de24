using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>A logger provider that keeps every entry (category, level, message with any exception) for assertions.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>All messages, one per line, for assertions that something never appears in any of them.</summary>
    public string Text => string.Join('\n', _entries.Select(e => e.Message));

    public IReadOnlyList<LogEntry> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).ToList();

    /// <summary>A factory logging every level into this capture; the caller disposes it.</summary>
    public ILoggerFactory CreateFactory() =>
        LoggerFactory.Create(logging => logging.AddProvider(this).SetMinimumLevel(LogLevel.Trace));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception) + (exception is null ? "" : "\n" + exception);
            owner._entries.Enqueue(new LogEntry(category, logLevel, message));
        }
    }
}

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>A clock that only moves when a test advances it (token TTLs, expiry, renewal caps).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset start)
    {
        _now = start;
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan duration)
    {
        lock (_gate)
        {
            _now += duration;
        }
    }
}

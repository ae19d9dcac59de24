namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>
/// Requests per second with a burst of one second's worth (at least one request), refilled from the emulator's
/// <see cref="TimeProvider"/> so tests on a manual clock are exact. <c>null</c> rate: unlimited. Thread-safe.
/// </summary>
internal sealed class TokenBucket(TimeProvider time)
{
    private readonly Lock _gate = new();
    private double? _rate;
    private double _tokens;
    private DateTimeOffset _last;

    /// <summary>Requests per second; <c>null</c> turns throttling off. Setting it refills the bucket.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive finite number.</exception>
    public double? Rate
    {
        get
        {
            lock (_gate)
            {
                return _rate;
            }
        }
        set
        {
            if (value is { } rate && (!double.IsFinite(rate) || rate <= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the throttle rate must be a positive number of requests per second");
            }

            lock (_gate)
            {
                _rate = value;
                _tokens = Capacity;
                _last = time.GetUtcNow();
            }
        }
    }

    private double Capacity => Math.Max(1, _rate ?? 1);

    /// <summary>Takes one token; <c>false</c> when the caller is over the rate.</summary>
    public bool TryTake()
    {
        lock (_gate)
        {
            if (_rate is not { } rate)
            {
                return true;
            }

            var now = time.GetUtcNow();
            var elapsed = (now - _last).TotalSeconds;
            _last = now;
            _tokens = Math.Min(Capacity, _tokens + Math.Max(0, elapsed) * rate);
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}

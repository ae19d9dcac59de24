namespace OpenKcm.Sandbox.Faults;

/// <summary>
/// The faults of one emulator, changeable at runtime in-process or through the control endpoint. Reads are
/// lock-free (every request reads them). <see cref="Down"/> is the listener's own state: taking it down or up is
/// serialized by the listener and has completed when <see cref="SetDownAsync"/> returns.
/// </summary>
public sealed class EmulatorFaults
{
    /// <summary>The largest latency accepted (10 minutes).</summary>
    public const int MaxLatencyMs = 600_000;

    private readonly IListenerSwitch _listener;
    private int _latencyMs;
    private double _errorRate;
    private volatile bool _sealed;

    internal EmulatorFaults(IListenerSwitch listener)
    {
        _listener = listener;
    }

    public int LatencyMs
    {
        get => Volatile.Read(ref _latencyMs);
        set => Volatile.Write(ref _latencyMs, Check(LatencyError(value), value));
    }

    public double ErrorRate
    {
        get => Volatile.Read(ref _errorRate);
        set => Volatile.Write(ref _errorRate, Check(ErrorRateError(value), value));
    }

    public bool Sealed
    {
        get => _sealed;
        set => _sealed = value;
    }

    /// <summary>Whether the listener is closed; change it with <see cref="SetDownAsync"/>.</summary>
    public bool Down => !_listener.IsListening;

    public FaultSnapshot Snapshot() => new(LatencyMs, ErrorRate, Sealed, Down);

    /// <summary>Closes the listener (connections are refused) or rebinds it on the same port.</summary>
    public Task SetDownAsync(bool down, CancellationToken cancellationToken = default) =>
        _listener.SetListeningAsync(!down, cancellationToken);

    /// <summary>Applies the set properties of <paramref name="settings"/>; values are checked before anything changes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A latency or error rate out of range.</exception>
    public async Task<FaultSnapshot> ApplyAsync(FaultSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Check(Validate(settings), settings);
        LatencyMs = settings.LatencyMs ?? LatencyMs;
        ErrorRate = settings.ErrorRate ?? ErrorRate;
        Sealed = settings.Sealed ?? Sealed;
        if (settings.Down is { } down)
        {
            await SetDownAsync(down, cancellationToken).ConfigureAwait(false);
        }

        return Snapshot();
    }

    /// <summary>Clears every fault and brings the listener back up.</summary>
    public Task<FaultSnapshot> ResetAsync(CancellationToken cancellationToken = default) =>
        ApplyAsync(new FaultSettings { LatencyMs = 0, ErrorRate = 0, Sealed = false, Down = false }, cancellationToken);

    /// <summary>Why these settings cannot be applied, or <c>null</c> when they can.</summary>
    public static string? Validate(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (settings.LatencyMs is { } latency ? LatencyError(latency) : null)
            ?? (settings.ErrorRate is { } rate ? ErrorRateError(rate) : null);
    }

    private static string? LatencyError(int value) =>
        value is >= 0 and <= MaxLatencyMs ? null : $"latency_ms must be between 0 and {MaxLatencyMs}, not {value}";

    private static string? ErrorRateError(double value) =>
        value is >= 0 and <= 1 ? null : $"error_rate must be between 0 and 1, not {value}";

    private static T Check<T>(string? error, T value) =>
        error is null ? value : throw new ArgumentOutOfRangeException(nameof(value), value, error);
}

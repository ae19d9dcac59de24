namespace OpenKcm.Sandbox.OpenBao;

/// <summary>
/// The cluster role the emulated node reports on <c>sys/health</c> (sealing is a fault: <see cref="Faults.EmulatorFaults.Sealed"/>).
/// Standby states change only the health answer; the node keeps serving requests. The OpenBao profile ignores
/// <see cref="PerformanceStandby"/> and <see cref="DrSecondary"/>, which OpenBao does not have.
/// </summary>
public sealed class OpenBaoNodeState
{
    private volatile bool _initialized = true;
    private volatile bool _standby;
    private volatile bool _performanceStandby;
    private volatile bool _drSecondary;

    /// <summary>False: health answers 501 and every other request 503 (an uninitialized server is sealed).</summary>
    public bool Initialized
    {
        get => _initialized;
        set => _initialized = value;
    }

    public bool Standby
    {
        get => _standby;
        set => _standby = value;
    }

    public bool PerformanceStandby
    {
        get => _performanceStandby;
        set => _performanceStandby = value;
    }

    public bool DrSecondary
    {
        get => _drSecondary;
        set => _drSecondary = value;
    }

    /// <summary>Back to an initialized, active node.</summary>
    public void Reset()
    {
        Initialized = true;
        Standby = false;
        PerformanceStandby = false;
        DrSecondary = false;
    }
}

namespace OpenKcm.Sandbox.Faults;

/// <summary>An emulator's listener as the "down" fault sees it.</summary>
internal interface IListenerSwitch
{
    bool IsListening { get; }

    /// <summary>Starts or stops listening on the emulator's port; serialized, idempotent.</summary>
    Task SetListeningAsync(bool listening, CancellationToken cancellationToken);
}

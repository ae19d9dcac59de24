using System.Collections.Concurrent;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;

namespace OpenKcm.Core.Tests.Operations;

public sealed class RecordingHealthRecorder : IKeystoreHealthRecorder
{
    public ConcurrentQueue<(ActiveKeystore Keystore, HealthObservation Observation)> Observations { get; } = new();

    public void Record(ActiveKeystore keystore, HealthObservation observation) => Observations.Enqueue((keystore, observation));
}

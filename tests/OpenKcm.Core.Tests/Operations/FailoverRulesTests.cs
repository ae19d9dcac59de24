using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>The coordinator's rules fed health updates directly, one result at a time (exact counts).</summary>
public sealed class FailoverRulesTests : IAsyncDisposable
{
    private static readonly HealthThresholds s_thresholds = new()
    {
        WarningLatency = TimeSpan.FromMilliseconds(500),
        FailbackAfterHealthyProbes = 3,
    };

    private readonly ManualTimeProvider _clock = new();
    private readonly List<AuditRecord> _audits = [];
    private readonly List<KeystoreFailoverEvent> _switches = [];
    private readonly FailoverCoordinator _coordinator;
    private readonly OpenKcm.Core.Keystores.ActiveKeystore _backup = FailoverHarness.WithBackup(TestKeystores.Create("backup"), null);
    private readonly OpenKcm.Core.Keystores.ActiveKeystore _primary;
    private readonly Dictionary<Guid, KeystoreHealth> _published = [];

    public FailoverRulesTests()
    {
        _primary = FailoverHarness.WithBackup(TestKeystores.Create("primary"), _backup.Id);
        _coordinator = new FailoverCoordinator(
            (record, _) =>
            {
                lock (_audits)
                {
                    _audits.Add(record);
                }

                return Task.CompletedTask;
            },
            connections: null, _clock, NullLogger<FailoverCoordinator>.Instance);
        _coordinator.Switched += _switches.Add;
        _coordinator.UpdateActive([_primary, _backup]);
    }

    public ValueTask DisposeAsync() => _coordinator.DisposeAsync();

    [Fact]
    public void NoHealthYet_StartsOnPrimaryWithBackupAvailable()
    {
        var state = _coordinator.Get(_primary.Id)!;

        Assert.False(state.FailedOver);
        Assert.True(state.BackupAvailable);
        Assert.Null(state.Since);
        Assert.Null(_coordinator.Get(_backup.Id));
        Assert.Null(_coordinator.BackupInUse(_primary));
    }

    [Fact]
    public void FailbackNeedsThresholdConsecutiveHealthyProbes_AFailureResetsTheCount()
    {
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.Equal(_backup.Id, _coordinator.BackupInUse(_primary));

        // Flapping: two good probes, then a bad one, four times over.
        for (var round = 0; round < 4; round++)
        {
            Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
            Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
            Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
            Publish(_primary.Id, KeystoreHealthStatus.Warning, Failure());
        }

        // Operation successes are not probes (none reach the primary while failed over, but they must not count).
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Operation));
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, observation: null); // a republish counts for nothing
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));

        var state = _coordinator.Get(_primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.Equal("primary is Healthy after 3 consecutive successful probes", state.Reason);
        Assert.Equal([true, false], _switches.Select(s => s.ToBackup));
    }

    [Fact]
    public void ThreeHealthyProbesWhileWarning_StaysOnBackup()
    {
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        for (var i = 0; i < 5; i++)
        {
            Publish(_primary.Id, KeystoreHealthStatus.Warning, Success(HealthObservationSource.Probe));
        }

        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
    }

    [Fact]
    public void RetryableOperationFailures_ContinueOnBackupEachTime_SwitchTheRouteOnlyAfterTwoInARow_UnlessBackupCritical()
    {
        Publish(_backup.Id, KeystoreHealthStatus.Critical, Failure());
        Assert.False(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));
        Assert.False(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));
        Assert.Equal("backup backup is Critical", _coordinator.Get(_primary.Id)!.BackupUnavailableReason);
        Assert.Empty(_switches);

        Publish(_backup.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Operation)); // ends the run
        Assert.True(_coordinator.Get(_primary.Id)!.BackupAvailable);
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Unwrap, Outage()), "this operation continues on the backup");
        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.Null(_coordinator.BackupInUse(_primary));

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));

        var state = _coordinator.Get(_primary.Id)!;
        Assert.True(state.FailedOver);
        Assert.Equal("2 key operations in a row failed on primary, the last wrap: Unavailable", state.Reason);
        Assert.Equal(_clock.GetUtcNow(), state.Since);
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()), "already failed over");
        Assert.Single(_switches);
    }

    [Fact]
    public void OperationFailures_FarApartOrWithASuccessBetween_DoNotSwitch()
    {
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Operation));
        Assert.True(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage()));

        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.Empty(_switches);
    }

    [Fact]
    public void Throttling_NeverContinuesOnTheBackupNorSwitches()
    {
        var throttled = new KeystoreException(KeystoreErrorKind.Throttled, "Slow down.") { RetryAfter = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 10; i++)
        {
            Assert.False(_coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, throttled));
        }

        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.Empty(_switches);
    }

    [Fact]
    public void UnverifiedBackup_NoFailover_NotEvenForTheFailingOperation()
    {
        var unverified = FailoverHarness.WithBackup(TestKeystores.Create("primary", id: _primary.Id), _backup.Id, verified: false);
        _coordinator.UpdateActive([unverified, _backup]);

        Assert.False(_coordinator.ReportOperationFailure(unverified, _backup, KeyOperationKind.Wrap, Outage()));
        Assert.False(_coordinator.ReportOperationFailure(unverified, _backup, KeyOperationKind.Wrap, Outage()));
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());

        var state = _coordinator.Get(_primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.False(state.BackupAvailable);
        Assert.Equal("backup backup has not been verified for the active versions: run Verify backup", state.BackupUnavailableReason);
        Assert.Null(_coordinator.BackupInUse(unverified));
        Assert.Empty(_switches);

        // Verify backup succeeds (the catalog re-read carries it): the still-Critical primary fails over.
        _coordinator.UpdateActive([_primary, _backup]);
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
    }

    [Fact]
    public void OperationForcedFailover_StaysOnBackupForTheMinimumDwell_ThenFailsBackOnHealthyProbes()
    {
        _coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage());
        _coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, Outage());
        var since = _coordinator.Get(_primary.Id)!.Since!.Value;

        // Publish advances 2 s per call: six healthy probes reach 12 s < 30 s.
        for (var i = 0; i < 6; i++)
        {
            Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        }

        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        while (_clock.GetUtcNow() - since < TimeSpan.FromSeconds(28))
        {
            Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
            Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        }

        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.True(_clock.GetUtcNow() - since >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void BackupCriticalWhilePrimaryWarning_FailsBack_ButNotWhilePrimaryCritical()
    {
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        Publish(_backup.Id, KeystoreHealthStatus.Critical, Failure());
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver, "both Critical: nowhere better to go");
        Assert.False(_coordinator.PrimaryUsable(_primary.Id));

        Publish(_primary.Id, KeystoreHealthStatus.Warning, Success(HealthObservationSource.Probe));

        var state = _coordinator.Get(_primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.Equal("backup backup is Critical and primary is Warning", state.Reason);
        Assert.True(_coordinator.PrimaryUsable(_primary.Id));
    }

    [Fact]
    public void BackupStopsBeingVerifiedWhileFailedOver_FailsBackWhenPrimaryIsNotCritical()
    {
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        var unverified = FailoverHarness.WithBackup(TestKeystores.Create("primary", id: _primary.Id), _backup.Id, verified: false);

        _coordinator.UpdateActive([unverified, _backup]);
        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver, "primary still Critical");
        Publish(_primary.Id, KeystoreHealthStatus.Warning, Success(HealthObservationSource.Probe));

        Assert.False(_coordinator.Get(_primary.Id)!.FailedOver);
    }

    [Fact]
    public void FlakyOperations_OneInTenFailing_ForTenMinutes_SwitchAtMostOnce()
    {
        var operation = 0;
        var end = _clock.GetUtcNow() + TimeSpan.FromMinutes(10);
        while (_clock.GetUtcNow() < end)
        {
            // A healthy probe every 10 s, operations every second in between; one in ten fails (throttled or timed out).
            Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
            for (var i = 0; i < 8; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                if (++operation % 10 == 0)
                {
                    var error = operation % 20 == 0
                        ? new KeystoreException(KeystoreErrorKind.Throttled, "Slow down.") { RetryAfter = TimeSpan.FromMilliseconds(200) }
                        : new KeystoreException(KeystoreErrorKind.TimedOut, "Timed out.");
                    _coordinator.ReportOperationFailure(_primary, _backup, KeyOperationKind.Wrap, error);
                }
                else if (_coordinator.BackupInUse(_primary) is null)
                {
                    Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Operation), advance: false);
                }
            }
        }

        Assert.True(_switches.Count <= 1, $"{_switches.Count} switches");
    }

    [Fact]
    public void BackupTurnsCriticalWhilePrimaryHealthy_FailsBack()
    {
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        Publish(_primary.Id, KeystoreHealthStatus.Healthy, Success(HealthObservationSource.Probe));
        Publish(_backup.Id, KeystoreHealthStatus.Critical, Failure());

        var state = _coordinator.Get(_primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.False(state.BackupAvailable);
        Assert.Equal("backup backup is Critical and primary is Healthy", state.Reason);
    }

    [Fact]
    public void BackupOfAnotherTenant_IsNeverUsed()
    {
        var foreign = new OpenKcm.Core.Keystores.ActiveKeystore
        {
            Id = _backup.Id, TenantId = Guid.NewGuid(), TenantName = "other", Name = "backup", Kind = _backup.Kind,
            Version = 1, Settings = _backup.Settings, Secrets = _backup.Secrets,
        };
        _coordinator.UpdateActive([_primary, foreign]);

        Assert.False(_coordinator.ReportOperationFailure(_primary, foreign, KeyOperationKind.Wrap, Outage()));
        Assert.Equal("backup backup belongs to another tenant", _coordinator.Get(_primary.Id)!.BackupUnavailableReason);
    }

    [Fact]
    public void NoChains_BackupsOwnBackupIsIgnored()
    {
        var third = FailoverHarness.WithBackup(TestKeystores.Create("third"), null);
        var backupWithBackup = FailoverHarness.WithBackup(_backup, third.Id);
        _coordinator.UpdateActive([_primary, backupWithBackup, third]);
        Publish(_primary.Id, KeystoreHealthStatus.Critical, Failure());
        Publish(_backup.Id, KeystoreHealthStatus.Critical, Failure());

        Assert.True(_coordinator.Get(_primary.Id)!.FailedOver);
        Assert.Equal(_backup.Id, _coordinator.BackupInUse(_primary));
        Assert.True(_coordinator.Get(_backup.Id)!.FailedOver, "the backup fails over for its own callers");
        Assert.Equal(_backup.Id, _coordinator.Get(_primary.Id)!.BackupKeystoreId);
    }

    [Fact]
    public void PrimaryLeavesCatalog_RouteDisappears()
    {
        var changed = new List<Guid>();
        _coordinator.Changed += changed.Add;
        _coordinator.UpdateActive([_backup]);

        Assert.Null(_coordinator.Get(_primary.Id));
        Assert.Contains(_primary.Id, changed);
    }

    private static KeystoreException Outage() => new(KeystoreErrorKind.Unavailable, "Connection refused.");

    private HealthObservation Success(HealthObservationSource source) =>
        HealthObservation.Success(source, _clock.GetUtcNow(), TimeSpan.FromMilliseconds(3));

    private HealthObservation Failure() =>
        HealthObservation.Failure(HealthObservationSource.Probe, _clock.GetUtcNow(), TimeSpan.FromMilliseconds(3),
            new KeystoreHealthError { Kind = KeystoreErrorKind.Unavailable, Message = "down", At = _clock.GetUtcNow() });

    private void Publish(Guid keystoreId, KeystoreHealthStatus status, HealthObservation? observation, bool advance = true)
    {
        if (advance)
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
        }

        var previous = _published.GetValueOrDefault(keystoreId);
        var current = TestHealth.Create(keystoreId, name: keystoreId == _primary.Id ? "primary" : "backup") with
        {
            Status = status,
            Thresholds = s_thresholds,
            ConsecutiveFailures = status == KeystoreHealthStatus.Critical ? 3 : 0,
        };
        _published[keystoreId] = current;
        _coordinator.OnHealthChanged(previous, current, observation);
    }
}

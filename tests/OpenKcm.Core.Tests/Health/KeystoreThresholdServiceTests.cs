using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Health;

public sealed class KeystoreThresholdServiceTests : IAsyncLifetime
{
    private static readonly HealthThresholds s_valid = new()
    {
        WarningLatency = TimeSpan.FromMilliseconds(40),
        CriticalLatency = TimeSpan.FromMilliseconds(80),
        CriticalAfterConsecutiveFailures = 2,
        ProbeTimeout = TimeSpan.FromSeconds(3),
        ProbeInterval = TimeSpan.FromSeconds(5),
        DegradedProbeInterval = TimeSpan.FromSeconds(1),
        FailbackAfterHealthyProbes = 4,
    };

    private CoreTestContext _ctx = null!;
    private KeystoreThresholdService _service = null!;

    public async Task InitializeAsync()
    {
        _ctx = await CoreTestContext.CreateAsync();
        _service = new KeystoreThresholdService(_ctx.Db, _ctx.Audit, _ctx.Plugins, _ctx.Keystores, _ctx.Time, Options.Create(new HealthOptions()));
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task GetAsync_NoOverride_ReturnsThePluginDefaults()
    {
        var keystore = await ActiveKeystoreAsync("primary");

        var settings = await _service.GetAsync(keystore.Id, CancellationToken.None);

        Assert.Null(settings.Overrides);
        Assert.Equal(_ctx.Plugin.Descriptor.DefaultThresholds, settings.Defaults);
        Assert.Equal(settings.Defaults, settings.Effective);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.ConsoleProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.ConsoleDegradedProbeInterval);
    }

    [Fact]
    public async Task SaveAsync_Valid_StoresAuditsRaisesChangeAndFillsTheCatalog()
    {
        var keystore = await ActiveKeystoreAsync("primary");
        var changed = new List<Guid>();
        _ctx.Keystores.KeystoreChanged += changed.Add;

        var result = await _service.SaveAsync(keystore.Id, s_valid, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(s_valid, result.Value.Overrides);
        Assert.Equal(s_valid, (await _service.GetAsync(keystore.Id, CancellationToken.None)).Effective);
        Assert.Equal([keystore.Id], changed);
        var active = Assert.Single(await _ctx.Keystores.GetActiveAsync(CancellationToken.None));
        Assert.Equal(s_valid, active.ThresholdOverrides);
        var entry = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreThresholdsUpdate));
        Assert.Equal(AuditOutcome.Success, entry.Outcome);
        Assert.Equal(CoreTestContext.Admin.Id, entry.ActorId);
        Assert.Contains("WarningLatency=100ms->40ms", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("CriticalLatency=default->80ms", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("FailbackAfterHealthyProbes=3->4", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ProbeTimeout=5000ms->5000ms", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_Invalid_ReturnsFieldErrorsStoresNothingAndAuditsTheFailure()
    {
        var keystore = await ActiveKeystoreAsync("primary");
        var invalid = s_valid with { WarningLatency = TimeSpan.FromMilliseconds(90), ProbeTimeout = TimeSpan.Zero };

        var result = await _service.SaveAsync(keystore.Id, invalid, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(
            [nameof(HealthThresholds.CriticalLatency), nameof(HealthThresholds.ProbeTimeout)],
            result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Null((await _service.GetAsync(keystore.Id, CancellationToken.None)).Overrides);
        Assert.Equal(0, await _ctx.CountAsync("keystore_threshold_overrides"));
        var entry = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreThresholdsUpdate));
        Assert.Equal(AuditOutcome.Failure, entry.Outcome);
        Assert.Contains("invalid=CriticalLatency,ProbeTimeout", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAsync_Override_RemovesItAuditsAndRaisesChange()
    {
        var keystore = await ActiveKeystoreAsync("primary");
        await _service.SaveAsync(keystore.Id, s_valid, CoreTestContext.Admin, CancellationToken.None);
        var changed = new List<Guid>();
        _ctx.Keystores.KeystoreChanged += changed.Add;

        var settings = await _service.ResetAsync(keystore.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.Null(settings.Overrides);
        Assert.Null(Assert.Single(await _ctx.Keystores.GetActiveAsync(CancellationToken.None)).ThresholdOverrides);
        Assert.Equal([keystore.Id], changed);
        var entries = await _ctx.AuditEntriesAsync(AuditActions.KeystoreThresholdsUpdate);
        Assert.Contains(entries, e => e.Detail!.Contains("reset=defaults", StringComparison.Ordinal) && e.Detail.Contains("WarningLatency=40ms->100ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SaveAsync_SameValuesTwice_SecondChangesNothing()
    {
        var keystore = await ActiveKeystoreAsync("primary");
        await _service.SaveAsync(keystore.Id, s_valid, CoreTestContext.Admin, CancellationToken.None);
        var changed = new List<Guid>();
        _ctx.Keystores.KeystoreChanged += changed.Add;

        var again = await _service.SaveAsync(keystore.Id, s_valid, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(again.Succeeded);
        Assert.Empty(changed);
        Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.KeystoreThresholdsUpdate));
    }

    [Fact]
    public async Task GetAsync_UnknownKeystore_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<KeystoreCommandException>(() => _service.GetAsync(Guid.NewGuid(), CancellationToken.None));

        Assert.Equal(KeystoreCommandError.KeystoreNotFound, error.Error);
    }

    public static TheoryData<string, HealthThresholds> InvalidSets => new()
    {
        { nameof(HealthThresholds.WarningLatency), s_valid with { WarningLatency = TimeSpan.Zero, CriticalLatency = null } },
        { nameof(HealthThresholds.WarningLatency), s_valid with { WarningLatency = TimeSpan.FromMinutes(11), CriticalLatency = null } },
        { nameof(HealthThresholds.CriticalLatency), s_valid with { CriticalLatency = TimeSpan.FromMilliseconds(40) } },
        { nameof(HealthThresholds.CriticalLatency), s_valid with { CriticalLatency = TimeSpan.FromMinutes(11) } },
        { nameof(HealthThresholds.CriticalAfterConsecutiveFailures), s_valid with { CriticalAfterConsecutiveFailures = 0 } },
        { nameof(HealthThresholds.CriticalAfterConsecutiveFailures), s_valid with { CriticalAfterConsecutiveFailures = 101 } },
        { nameof(HealthThresholds.ProbeTimeout), s_valid with { ProbeTimeout = TimeSpan.FromMilliseconds(-1) } },
        { nameof(HealthThresholds.ProbeTimeout), s_valid with { ProbeTimeout = TimeSpan.FromMinutes(6) } },
        { nameof(HealthThresholds.ProbeInterval), s_valid with { ProbeInterval = TimeSpan.Zero } },
        { nameof(HealthThresholds.ProbeInterval), s_valid with { ProbeInterval = TimeSpan.FromHours(2) } },
        { nameof(HealthThresholds.DegradedProbeInterval), s_valid with { DegradedProbeInterval = TimeSpan.FromSeconds(6) } },
        { nameof(HealthThresholds.DegradedProbeInterval), s_valid with { ProbeInterval = null, DegradedProbeInterval = TimeSpan.FromSeconds(11) } },
        { nameof(HealthThresholds.DegradedProbeInterval), s_valid with { DegradedProbeInterval = TimeSpan.FromMilliseconds(-5) } },
        { nameof(HealthThresholds.FailbackAfterHealthyProbes), s_valid with { FailbackAfterHealthyProbes = 0 } },
    };

    [Theory]
    [MemberData(nameof(InvalidSets))]
    public void Validate_InvalidValue_NamesExactlyThatField(string field, HealthThresholds thresholds)
    {
        ImmutableArray<FieldError> errors = KeystoreThresholdService.Validate(thresholds, TimeSpan.FromSeconds(10));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Validate_ValidSetAndPluginDefaults_NoErrors()
    {
        Assert.Empty(KeystoreThresholdService.Validate(s_valid, TimeSpan.FromSeconds(10)));
        Assert.Empty(KeystoreThresholdService.Validate(s_valid with { ProbeInterval = null, DegradedProbeInterval = null, CriticalLatency = null }, TimeSpan.FromSeconds(10)));
    }

    private async Task<KeystoreInfo> ActiveKeystoreAsync(string name)
    {
        var draft = new KeystoreDraft
        {
            TenantId = _ctx.DefaultTenant.Id,
            Kind = FakeKeystorePlugin.Kind,
            Name = name,
            Settings = KeystoreSettings.Empty.With("endpoint", "https://kms.example.test").With("region", "us-east-1"),
            Secrets = new Dictionary<string, SecretValue> { ["api_key"] = new("good-key") },
        };
        var created = await _ctx.Keystores.CreateDraftAsync(draft, CoreTestContext.Admin, CancellationToken.None);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors));
        await foreach (var _ in _ctx.Keystores.TestAsync(created.Value.Id, 1, CoreTestContext.Admin, CancellationToken.None))
        {
        }

        return await _ctx.Keystores.ActivateAsync(created.Value.Id, 1, CoreTestContext.Admin, CancellationToken.None);
    }
}

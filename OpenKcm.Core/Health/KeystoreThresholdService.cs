using System.Collections.Immutable;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// Per-keystore health threshold overrides: read, validate, save, reset. Singleton, thread-safe. Every change is
/// audited (<see cref="AuditActions.KeystoreThresholdsUpdate"/>, detail lists the changed values) in the same unit of
/// work as the row, and raises <see cref="IKeystoreCatalog.KeystoreChanged"/> so the monitor re-judges the keystore
/// at once. The catalog fills <see cref="ActiveKeystore.ThresholdOverrides"/> from the stored row.
/// </summary>
/// <remarks>Unknown keystores throw <see cref="KeystoreCommandException"/> (<see cref="KeystoreCommandError.KeystoreNotFound"/>).</remarks>
public sealed class KeystoreThresholdService
{
    /// <summary>Largest accepted latency threshold.</summary>
    public static readonly TimeSpan MaxLatency = TimeSpan.FromMinutes(10);

    /// <summary>Largest accepted probe timeout.</summary>
    public static readonly TimeSpan MaxProbeTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Accepted probe intervals (both healthy and degraded).</summary>
    public static readonly TimeSpan MinProbeInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest accepted probe interval.</summary>
    public static readonly TimeSpan MaxProbeInterval = TimeSpan.FromHours(1);

    /// <summary>Largest accepted count (consecutive failures, failback probes).</summary>
    public const int MaxCount = 100;

    private static readonly HealthThresholds s_fallback = new() { WarningLatency = TimeSpan.FromSeconds(1) };

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly AuditLog _audit;
    private readonly PluginRegistry _plugins;
    private readonly KeystoreService _keystores;
    private readonly TimeProvider _time;
    private readonly HealthOptions _options;

    internal KeystoreThresholdService(
        IDbContextFactory<OpenKcmDbContext> dbFactory, AuditLog audit, PluginRegistry plugins, KeystoreService keystores,
        TimeProvider time, IOptions<HealthOptions> options)
    {
        _dbFactory = dbFactory;
        _audit = audit;
        _plugins = plugins;
        _keystores = keystores;
        _time = time;
        _options = options.Value;
    }

    /// <summary>Defaults, override and effective thresholds of a keystore.</summary>
    public async Task<KeystoreThresholdSettings> GetAsync(Guid keystoreId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var row = await db.KeystoreThresholdOverrides.AsNoTracking().FirstOrDefaultAsync(o => o.KeystoreId == keystoreId, cancellationToken)
                .ConfigureAwait(false);
            return Settings(keystore, row);
        }
    }

    /// <summary>
    /// Validates and stores <paramref name="thresholds"/> as the keystore's override (durations are kept to whole
    /// milliseconds). Invalid input comes back as field errors keyed by <see cref="HealthThresholds"/> property name,
    /// nothing stored, a failure entry audited. Saving values equal to the stored ones changes nothing.
    /// </summary>
    public async Task<CommandResult<KeystoreThresholdSettings>> SaveAsync(
        Guid keystoreId, HealthThresholds thresholds, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(actor);
        thresholds = Normalize(thresholds);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var row = await db.KeystoreThresholdOverrides.FirstOrDefaultAsync(o => o.KeystoreId == keystoreId, cancellationToken).ConfigureAwait(false);
            var before = row is null ? DefaultsFor(keystore.Kind) : ToThresholds(row);
            var errors = Validate(thresholds, _options.ProbeInterval);
            if (!errors.IsEmpty)
            {
                await _audit.AppendAsync(Record(keystore, actor, AuditOutcome.Failure,
                    $"invalid={string.Join(',', errors.Select(e => e.Field).Distinct())}"), cancellationToken).ConfigureAwait(false);
                return new CommandResult<KeystoreThresholdSettings>(errors);
            }

            if (row is not null && before == thresholds)
            {
                return new CommandResult<KeystoreThresholdSettings>(Settings(keystore, row));
            }

            if (row is null)
            {
                row = new KeystoreThresholdOverride { KeystoreId = keystoreId };
                db.KeystoreThresholdOverrides.Add(row);
            }

            Fill(row, thresholds);
            row.UpdatedAt = _time.GetUtcNow();
            row.UpdatedById = actor.Id;
            var changes = Describe(before, thresholds);
            await _audit.CommitAsync(db, [Record(keystore, actor, AuditOutcome.Success, changes.Length == 0 ? "override=defaults" : changes)], cancellationToken)
                .ConfigureAwait(false);
            _keystores.RaiseChanged(keystoreId);
            return new CommandResult<KeystoreThresholdSettings>(Settings(keystore, row));
        }
    }

    /// <summary>Removes the keystore's override (the plugin's defaults apply again); audited; a no-op when there is none.</summary>
    public async Task<KeystoreThresholdSettings> ResetAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var keystore = await LoadAsync(db, keystoreId, cancellationToken).ConfigureAwait(false);
            var row = await db.KeystoreThresholdOverrides.FirstOrDefaultAsync(o => o.KeystoreId == keystoreId, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return Settings(keystore, null);
            }

            var changes = Describe(ToThresholds(row), DefaultsFor(keystore.Kind));
            db.KeystoreThresholdOverrides.Remove(row);
            await _audit.CommitAsync(db, [Record(keystore, actor, AuditOutcome.Success, $"reset=defaults {changes}".Trim())], cancellationToken)
                .ConfigureAwait(false);
            _keystores.RaiseChanged(keystoreId);
            return Settings(keystore, null);
        }
    }

    /// <summary>
    /// Checks a threshold set: warning latency positive and below the critical latency, positive intervals within
    /// bounds, the degraded interval not longer than the healthy one (<paramref name="consoleProbeInterval"/> when the
    /// set leaves it empty), a positive timeout, counts between 1 and <see cref="MaxCount"/>. Errors are keyed by
    /// <see cref="HealthThresholds"/> property name.
    /// </summary>
    public static ImmutableArray<FieldError> Validate(HealthThresholds thresholds, TimeSpan consoleProbeInterval)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var errors = ImmutableArray.CreateBuilder<FieldError>();
        if (thresholds.WarningLatency <= TimeSpan.Zero || thresholds.WarningLatency > MaxLatency)
        {
            errors.Add(new(nameof(HealthThresholds.WarningLatency), $"Enter a latency above 0 ms and at most {MaxLatency.TotalMinutes:0} min."));
        }

        if (thresholds.CriticalLatency is { } critical)
        {
            if (critical <= thresholds.WarningLatency)
            {
                errors.Add(new(nameof(HealthThresholds.CriticalLatency), "The critical latency must be above the warning latency."));
            }
            else if (critical > MaxLatency)
            {
                errors.Add(new(nameof(HealthThresholds.CriticalLatency), $"Enter at most {MaxLatency.TotalMinutes:0} min."));
            }
        }

        if (thresholds.CriticalAfterConsecutiveFailures is < 1 or > MaxCount)
        {
            errors.Add(new(nameof(HealthThresholds.CriticalAfterConsecutiveFailures), $"Enter a whole number from 1 to {MaxCount}."));
        }

        if (thresholds.ProbeTimeout <= TimeSpan.Zero || thresholds.ProbeTimeout > MaxProbeTimeout)
        {
            errors.Add(new(nameof(HealthThresholds.ProbeTimeout), $"Enter a timeout above 0 ms and at most {MaxProbeTimeout.TotalMinutes:0} min."));
        }

        var intervalOk = true;
        if (thresholds.ProbeInterval is { } interval && (interval < MinProbeInterval || interval > MaxProbeInterval))
        {
            intervalOk = false;
            errors.Add(new(nameof(HealthThresholds.ProbeInterval), IntervalBounds));
        }

        if (thresholds.DegradedProbeInterval is { } degraded)
        {
            var healthy = thresholds.ProbeInterval ?? consoleProbeInterval;
            if (degraded < MinProbeInterval || degraded > MaxProbeInterval)
            {
                errors.Add(new(nameof(HealthThresholds.DegradedProbeInterval), IntervalBounds));
            }
            else if (intervalOk && degraded > healthy)
            {
                errors.Add(new(nameof(HealthThresholds.DegradedProbeInterval),
                    $"The degraded interval must not be longer than the probe interval ({Format(healthy)})."));
            }
        }

        if (thresholds.FailbackAfterHealthyProbes is < 1 or > MaxCount)
        {
            errors.Add(new(nameof(HealthThresholds.FailbackAfterHealthyProbes), $"Enter a whole number from 1 to {MaxCount}."));
        }

        return errors.ToImmutable();
    }

    /// <summary>The stored overrides of all keystores that have one (the catalog's read).</summary>
    internal static async Task<Dictionary<Guid, HealthThresholds>> LoadOverridesAsync(
        OpenKcmDbContext db, IReadOnlyCollection<Guid> keystoreIds, CancellationToken cancellationToken)
    {
        var rows = await db.KeystoreThresholdOverrides.AsNoTracking().Where(o => keystoreIds.Contains(o.KeystoreId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.KeystoreId, ToThresholds);
    }

    private static string IntervalBounds =>
        $"Enter an interval from {MinProbeInterval.TotalMilliseconds:0} ms to {MaxProbeInterval.TotalMinutes:0} min, or leave it empty for the console default.";

    private HealthThresholds DefaultsFor(string kind) => _plugins.Find(kind)?.Descriptor.DefaultThresholds ?? s_fallback;

    private KeystoreThresholdSettings Settings(Keystore keystore, KeystoreThresholdOverride? row) => new()
    {
        KeystoreId = keystore.Id,
        Defaults = DefaultsFor(keystore.Kind),
        Overrides = row is null ? null : ToThresholds(row),
        UpdatedAt = row?.UpdatedAt,
        ConsoleProbeInterval = _options.ProbeInterval,
        ConsoleDegradedProbeInterval = _options.DegradedProbeInterval,
    };

    private static async Task<Keystore> LoadAsync(OpenKcmDbContext db, Guid keystoreId, CancellationToken cancellationToken) =>
        await db.Keystores.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.KeystoreNotFound, $"Keystore {keystoreId} does not exist.");

    private static AuditRecord Record(Keystore keystore, Actor actor, AuditOutcome outcome, string detail) => new()
    {
        Action = AuditActions.KeystoreThresholdsUpdate,
        Actor = actor,
        Outcome = outcome,
        TenantId = keystore.TenantId,
        KeystoreId = keystore.Id,
        Detail = $"name={keystore.Name} {detail}".Trim(),
    };

    private static HealthThresholds Normalize(HealthThresholds t) => t with
    {
        WarningLatency = Ms(t.WarningLatency),
        CriticalLatency = t.CriticalLatency is { } c ? Ms(c) : null,
        ProbeTimeout = Ms(t.ProbeTimeout),
        ProbeInterval = t.ProbeInterval is { } i ? Ms(i) : null,
        DegradedProbeInterval = t.DegradedProbeInterval is { } d ? Ms(d) : null,
    };

    private static TimeSpan Ms(TimeSpan value) => TimeSpan.FromMilliseconds(Math.Round(value.TotalMilliseconds));

    private static void Fill(KeystoreThresholdOverride row, HealthThresholds t)
    {
        row.WarningLatencyMs = (long)t.WarningLatency.TotalMilliseconds;
        row.CriticalLatencyMs = t.CriticalLatency is { } c ? (long)c.TotalMilliseconds : null;
        row.CriticalAfterConsecutiveFailures = t.CriticalAfterConsecutiveFailures;
        row.ProbeTimeoutMs = (long)t.ProbeTimeout.TotalMilliseconds;
        row.ProbeIntervalMs = t.ProbeInterval is { } i ? (long)i.TotalMilliseconds : null;
        row.DegradedProbeIntervalMs = t.DegradedProbeInterval is { } d ? (long)d.TotalMilliseconds : null;
        row.FailbackAfterHealthyProbes = t.FailbackAfterHealthyProbes;
    }

    private static HealthThresholds ToThresholds(KeystoreThresholdOverride row) => new()
    {
        WarningLatency = TimeSpan.FromMilliseconds(row.WarningLatencyMs),
        CriticalLatency = row.CriticalLatencyMs is { } c ? TimeSpan.FromMilliseconds(c) : null,
        CriticalAfterConsecutiveFailures = row.CriticalAfterConsecutiveFailures,
        ProbeTimeout = TimeSpan.FromMilliseconds(row.ProbeTimeoutMs),
        ProbeInterval = row.ProbeIntervalMs is { } i ? TimeSpan.FromMilliseconds(i) : null,
        DegradedProbeInterval = row.DegradedProbeIntervalMs is { } d ? TimeSpan.FromMilliseconds(d) : null,
        FailbackAfterHealthyProbes = row.FailbackAfterHealthyProbes,
    };

    /// <summary>"Field=old->new" for every changed value, space separated (no secrets: thresholds only).</summary>
    private static string Describe(HealthThresholds before, HealthThresholds after)
    {
        var changes = new List<string>();
        void Add(string name, string? old, string? now)
        {
            if (!string.Equals(old, now, StringComparison.Ordinal))
            {
                changes.Add($"{name}={old ?? "default"}->{now ?? "default"}");
            }
        }

        Add(nameof(HealthThresholds.WarningLatency), Format(before.WarningLatency), Format(after.WarningLatency));
        Add(nameof(HealthThresholds.CriticalLatency), Format(before.CriticalLatency), Format(after.CriticalLatency));
        Add(nameof(HealthThresholds.CriticalAfterConsecutiveFailures),
            before.CriticalAfterConsecutiveFailures.ToString(CultureInfo.InvariantCulture), after.CriticalAfterConsecutiveFailures.ToString(CultureInfo.InvariantCulture));
        Add(nameof(HealthThresholds.ProbeTimeout), Format(before.ProbeTimeout), Format(after.ProbeTimeout));
        Add(nameof(HealthThresholds.ProbeInterval), Format(before.ProbeInterval), Format(after.ProbeInterval));
        Add(nameof(HealthThresholds.DegradedProbeInterval), Format(before.DegradedProbeInterval), Format(after.DegradedProbeInterval));
        Add(nameof(HealthThresholds.FailbackAfterHealthyProbes),
            before.FailbackAfterHealthyProbes.ToString(CultureInfo.InvariantCulture), after.FailbackAfterHealthyProbes.ToString(CultureInfo.InvariantCulture));
        return string.Join(' ', changes);
    }

    private static string? Format(TimeSpan? value) =>
        value is { } v ? $"{v.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms" : null;
}

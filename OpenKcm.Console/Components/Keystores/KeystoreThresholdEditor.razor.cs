using System.Globalization;
using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Keystores;

/// <summary>
/// Editor of one keystore's health thresholds (on the Plugin Configuration page, ManageKeystores policy): each field
/// with its plugin default, "reset to defaults", Core's validation errors next to the fields. Latencies and timeout in
/// milliseconds, intervals in seconds; an empty optional field means "use the default".
/// </summary>
public sealed partial class KeystoreThresholdEditor
{
    private static readonly FieldSpec[] s_fields =
    [
        new(nameof(HealthThresholds.WarningLatency), "Warning latency (ms)", Optional: false, Unit.Milliseconds),
        new(nameof(HealthThresholds.CriticalLatency), "Critical latency (ms)", Optional: true, Unit.Milliseconds),
        new(nameof(HealthThresholds.CriticalAfterConsecutiveFailures), "Critical after consecutive failures", Optional: false, Unit.Count),
        new(nameof(HealthThresholds.ProbeTimeout), "Probe timeout (ms)", Optional: false, Unit.Milliseconds),
        new(nameof(HealthThresholds.ProbeInterval), "Probe interval while healthy (s)", Optional: true, Unit.Seconds),
        new(nameof(HealthThresholds.DegradedProbeInterval), "Probe interval while degraded (s)", Optional: true, Unit.Seconds),
        new(nameof(HealthThresholds.FailbackAfterHealthyProbes), "Fail back after healthy probes", Optional: false, Unit.Count),
    ];

    private readonly Dictionary<string, string> _inputs = s_fields.ToDictionary(f => f.Name, _ => "");
    private readonly Dictionary<string, string> _errors = [];
    private KeystoreThresholdSettings? _settings;
    private string? _loadError;
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    private enum Unit
    {
        Milliseconds,
        Seconds,
        Count,
    }

    [Parameter, EditorRequired] public required Guid KeystoreId { get; set; }

    [Parameter, EditorRequired] public required string KeystoreName { get; set; }

    [Inject] public required KeystoreThresholdService Thresholds { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required ILogger<KeystoreThresholdEditor> Logger { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            Show(await Thresholds.GetAsync(KeystoreId, CancellationToken.None));
        }
        catch (KeystoreCommandException e)
        {
            _loadError = e.Message;
        }
    }

    private string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    private string DefaultText(FieldSpec field)
    {
        var d = _settings!.Defaults;
        return field.Name switch
        {
            nameof(HealthThresholds.WarningLatency) => Ms(d.WarningLatency),
            nameof(HealthThresholds.CriticalLatency) => d.CriticalLatency is { } c ? Ms(c) : "none (latency alone never makes it Critical)",
            nameof(HealthThresholds.CriticalAfterConsecutiveFailures) => d.CriticalAfterConsecutiveFailures.ToString(CultureInfo.InvariantCulture),
            nameof(HealthThresholds.ProbeTimeout) => Ms(d.ProbeTimeout),
            nameof(HealthThresholds.ProbeInterval) => Sec(d.ProbeInterval ?? _settings.ConsoleProbeInterval),
            nameof(HealthThresholds.DegradedProbeInterval) => Sec(d.DegradedProbeInterval ?? _settings.ConsoleDegradedProbeInterval),
            _ => d.FailbackAfterHealthyProbes.ToString(CultureInfo.InvariantCulture),
        };
    }

    private async Task SaveAsync()
    {
        _errors.Clear();
        _message = null;
        var thresholds = Parse();
        if (thresholds is null)
        {
            (_message, _messageIsError) = ("Correct the marked fields.", true);
            return;
        }

        await RunAsync(async actor =>
        {
            var result = await Thresholds.SaveAsync(KeystoreId, thresholds, actor, CancellationToken.None);
            if (!result.Succeeded)
            {
                foreach (var error in result.Errors)
                {
                    _errors[error.Field] = error.Message;
                }

                (_message, _messageIsError) = ("Correct the marked fields.", true);
                return;
            }

            Show(result.Value);
            (_message, _messageIsError) = ($"Thresholds of {KeystoreName} saved; the monitor applies them now.", false);
        });
    }

    private Task ResetAsync() => RunAsync(async actor =>
    {
        _errors.Clear();
        Show(await Thresholds.ResetAsync(KeystoreId, actor, CancellationToken.None));
        (_message, _messageIsError) = ($"Thresholds of {KeystoreName} reset to the defaults.", false);
    });

    private async Task RunAsync(Func<OpenKcm.Core.Audit.Actor, Task> action)
    {
        _busy = true;
        try
        {
            await action(await CurrentActor.GetAsync());
        }
        catch (KeystoreCommandException e)
        {
            (_message, _messageIsError) = (e.Message, true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage or audit failure: nothing is reported as saved that was not audited.
            Logger.LogError(e, "Saving the thresholds of keystore {KeystoreId} failed.", KeystoreId);
            (_message, _messageIsError) = ("The thresholds could not be saved (database or audit log unavailable). The server log has the details.", true);
        }
        finally
        {
            _busy = false;
        }
    }

    private void Show(KeystoreThresholdSettings settings)
    {
        _settings = settings;
        var t = settings.Overrides;
        _inputs[nameof(HealthThresholds.WarningLatency)] = Number((t ?? settings.Defaults).WarningLatency.TotalMilliseconds);
        _inputs[nameof(HealthThresholds.CriticalLatency)] = t?.CriticalLatency is { } c ? Number(c.TotalMilliseconds) : "";
        _inputs[nameof(HealthThresholds.CriticalAfterConsecutiveFailures)] = Number((t ?? settings.Defaults).CriticalAfterConsecutiveFailures);
        _inputs[nameof(HealthThresholds.ProbeTimeout)] = Number((t ?? settings.Defaults).ProbeTimeout.TotalMilliseconds);
        _inputs[nameof(HealthThresholds.ProbeInterval)] = t?.ProbeInterval is { } i ? Number(i.TotalSeconds) : "";
        _inputs[nameof(HealthThresholds.DegradedProbeInterval)] = t?.DegradedProbeInterval is { } d ? Number(d.TotalSeconds) : "";
        _inputs[nameof(HealthThresholds.FailbackAfterHealthyProbes)] = Number((t ?? settings.Defaults).FailbackAfterHealthyProbes);
    }

    /// <summary>The entered set, or null with <see cref="_errors"/> filled when a field is not a number.</summary>
    private HealthThresholds? Parse()
    {
        var values = new Dictionary<string, double?>();
        foreach (var field in s_fields)
        {
            var text = _inputs[field.Name].Trim();
            if (text.Length == 0)
            {
                if (!field.Optional)
                {
                    _errors[field.Name] = "Enter a value.";
                }

                values[field.Name] = null;
                continue;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) ||
                Math.Abs(value) > 1e9 || (field.Unit == Unit.Count && value != Math.Floor(value)))
            {
                _errors[field.Name] = field.Unit == Unit.Count ? "Enter a whole number." : "Enter a number.";
                continue;
            }

            values[field.Name] = value;
        }

        if (_errors.Count > 0)
        {
            return null;
        }

        TimeSpan? Duration(string name) => values[name] is { } v
            ? (s_fields.First(f => f.Name == name).Unit == Unit.Seconds ? TimeSpan.FromSeconds(v) : TimeSpan.FromMilliseconds(v))
            : null;

        return new HealthThresholds
        {
            WarningLatency = Duration(nameof(HealthThresholds.WarningLatency))!.Value,
            CriticalLatency = Duration(nameof(HealthThresholds.CriticalLatency)),
            CriticalAfterConsecutiveFailures = (int)values[nameof(HealthThresholds.CriticalAfterConsecutiveFailures)]!.Value,
            ProbeTimeout = Duration(nameof(HealthThresholds.ProbeTimeout))!.Value,
            ProbeInterval = Duration(nameof(HealthThresholds.ProbeInterval)),
            DegradedProbeInterval = Duration(nameof(HealthThresholds.DegradedProbeInterval)),
            FailbackAfterHealthyProbes = (int)values[nameof(HealthThresholds.FailbackAfterHealthyProbes)]!.Value,
        };
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => $"{Number(value.TotalMilliseconds)} ms";

    private static string Sec(TimeSpan value) => $"{Number(value.TotalSeconds)} s";

    private sealed record FieldSpec(string Name, string Label, bool Optional, Unit Unit);
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Looks at start and every <see cref="AlertOptions.ExpiryScanInterval"/> at what the active keystores' plugins report
/// through <see cref="IKeystorePlugin.DescribeExpiries"/>, and raises one alert per item and threshold: the tightest
/// threshold the item is inside (an item first seen 5 days before expiry raises the 7-day alert only), or Expired
/// (Critical) once past. The alert centre's dedup key makes each of those happen once, ever, across restarts; a
/// renewed certificate (new expiry instant) is a new item. A <see cref="IKeystoreCatalog.KeystoreChanged"/> event
/// (activation, new version) triggers a scan at once. Singleton and hosted service.
/// </summary>
public sealed class ExpiryScanner : BackgroundService
{
    private readonly IKeystoreCatalog _catalog;
    private readonly PluginRegistry _plugins;
    private readonly AlertCentre _alerts;
    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly ILogger<ExpiryScanner> _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);

    internal ExpiryScanner(
        IKeystoreCatalog catalog, PluginRegistry plugins, AlertCentre alerts, TimeProvider time, AlertOptions options, ILogger<ExpiryScanner> logger)
    {
        _catalog = catalog;
        _plugins = plugins;
        _alerts = alerts;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// One scan: returns the alert requests handed to the alert centre (before its dedup, so a repeated scan returns
    /// the same requests and the centre stores none of them again). A plugin that throws is logged and skipped.
    /// </summary>
    public async Task<IReadOnlyList<AlertRequest>> ScanAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var thresholds = _options.EffectiveExpiryThresholds;
        var raised = new List<AlertRequest>();
        foreach (var keystore in await _catalog.GetActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            IReadOnlyList<ExpiryItem> items;
            try
            {
                items = _plugins.Find(keystore.Kind)?.DescribeExpiries(keystore.Settings) ?? [];
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Plugin '{Kind}' could not describe the expiries of keystore {Keystore}.", keystore.Kind, keystore.Name);
                continue;
            }

            foreach (var item in items)
            {
                if (Evaluate(keystore, item, now, thresholds) is { } request)
                {
                    raised.Add(request);
                    _alerts.Enqueue(request);
                }
            }
        }

        return raised;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A keystore activated or re-versioned (new certificates) is scanned at once, not at the next hourly scan.
        _catalog.KeystoreChanged += OnKeystoreChanged;
        try
        {
            await LoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _catalog.KeystoreChanged -= OnKeystoreChanged;
        }
    }

    private void OnKeystoreChanged(Guid keystoreId)
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Expiry scan failed; next try in {Interval}.", _options.ExpiryScanInterval);
            }

            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(
                    Task.Delay(_options.ExpiryScanInterval, _time, wait.Token),
                    _changed.WaitAsync(wait.Token)).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _changed.Dispose();
    }

    internal static AlertRequest? Evaluate(ActiveKeystore keystore, ExpiryItem item, DateTimeOffset now, IReadOnlyList<TimeSpan> ascendingThresholds)
    {
        var left = item.NotAfter - now;
        string stage;
        AlertType type;
        AlertSeverity severity;
        string title;
        var what = item.Subject is null ? item.What : $"{item.What} ({item.Subject})";
        if (left <= TimeSpan.Zero)
        {
            stage = "expired";
            type = AlertType.Expired;
            severity = AlertSeverity.Critical;
            title = $"{keystore.Name}: {item.What} expired";
        }
        else
        {
            var threshold = ascendingThresholds.FirstOrDefault(t => left <= t);
            if (threshold == TimeSpan.Zero)
            {
                return null;
            }

            stage = $"{threshold.TotalDays:0.##}d";
            type = AlertType.ExpirySoon;
            severity = AlertSeverity.Warning;
            title = $"{keystore.Name}: {item.What} expires in {Math.Max(1, (int)Math.Ceiling(left.TotalDays))} day(s)";
        }

        var key = $"{keystore.Id:N}|{item.What}|{item.Subject}|{item.NotAfter.UtcTicks}|{stage}";
        return new AlertRequest
        {
            Type = type,
            Severity = severity,
            At = now,
            Title = title,
            Detail = $"The {what} is valid until {item.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Renew it and save a new keystore version.",
            TenantId = keystore.TenantId,
            TenantName = keystore.TenantName,
            KeystoreId = keystore.Id,
            KeystoreName = keystore.Name,
            DedupKey = "expiry:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
        };
    }
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Webhook administration: create (the console generates the signing secret), edit, enable/disable, rotate the
/// secret, delete, send a test event. Every change is audited (<c>webhook.*</c>; the secret as <c>secret.write</c>
/// with the field name only). Who may call it is the caller's decision (the console: Administrators). Singleton;
/// thread-safe (a short-lived DbContext per call).
/// </summary>
public sealed class WebhookService
{
    /// <summary>The vault field of the signing secret (owner: the webhook id).</summary>
    public const string SecretField = "signing_secret";

    public const int MaxNameLength = 64;
    public const int MaxUrlLength = 2048;

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly CredentialVault _vault;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly Action _deliveriesAdded;

    internal WebhookService(
        IDbContextFactory<OpenKcmDbContext> dbFactory,
        CredentialVault vault,
        AuditLog audit,
        TimeProvider time,
        AlertOptions options,
        Action deliveriesAdded)
    {
        _dbFactory = dbFactory;
        _vault = vault;
        _audit = audit;
        _time = time;
        _options = options;
        _deliveriesAdded = deliveriesAdded;
    }

    /// <summary>Whether <c>http://</c> URLs are accepted (Development); otherwise https only.</summary>
    public bool AllowsInsecureUrls => _options.AllowInsecureWebhookUrls;

    /// <summary>Field errors of <paramref name="draft"/> (<c>name</c>, <c>url</c>); empty when valid. Pure.</summary>
    public IReadOnlyList<FieldError> Validate(WebhookDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<FieldError>();
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(new("name", "Enter a name."));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new("name", $"At most {MaxNameLength} characters."));
        }

        var url = draft.Url?.Trim() ?? "";
        if (url.Length == 0)
        {
            errors.Add(new("url", "Enter the endpoint URL."));
        }
        else if (url.Length > MaxUrlLength)
        {
            errors.Add(new("url", $"At most {MaxUrlLength} characters."));
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(new("url", "Enter an absolute http(s) URL, e.g. https://alerts.example.com/openkcm."));
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !_options.AllowInsecureWebhookUrls)
        {
            errors.Add(new("url", "Use https: plain http is accepted only in Development."));
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // The URL is shown in lists and audit details; credentials in it would be a secret in plain sight.
            errors.Add(new("url", "Remove the user name/password from the URL; requests are authenticated by the signature header."));
        }
        else if (!string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add(new("url", "Remove the #fragment: it is never sent to the server."));
        }

        return errors;
    }

    public async Task<IReadOnlyList<WebhookInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var webhooks = await db.Webhooks.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<WebhookInfo>(webhooks.Count);
            foreach (var w in webhooks.OrderBy(w => w.Name, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(await InfoAsync(db, w, cancellationToken).ConfigureAwait(false));
            }

            return result;
        }
    }

    public async Task<WebhookInfo?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var w = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false);
            return w is null ? null : await InfoAsync(db, w, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates a webhook with a fresh 32-byte signing secret, stored in the vault in the same transaction, and returns
    /// the secret this once. Field errors for invalid input or a name already in use.
    /// </summary>
    public async Task<CommandResult<CreatedWebhook>> CreateAsync(WebhookDraft draft, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var errors = Validate(draft);
        if (errors.Count > 0)
        {
            return new(errors);
        }

        var name = draft.Name.Trim();
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            if (await NameTakenAsync(db, name, null, cancellationToken).ConfigureAwait(false))
            {
                return new([new FieldError("name", $"A webhook named '{name}' exists already.")]);
            }

            var now = _time.GetUtcNow();
            var webhook = new Webhook
            {
                Id = Guid.NewGuid(),
                Name = name,
                Url = draft.Url.Trim(),
                Enabled = draft.Enabled,
                SecretVersion = 0,
                CreatedAt = now,
                UpdatedAt = now,
            };
            var secret = NewSecret();
            using (var value = new SecretValue(secret))
            {
                webhook.SecretVersion = await _vault.StageAsync(db, webhook.Id, SecretField, value, actor, cancellationToken).ConfigureAwait(false);
            }

            db.Webhooks.Add(webhook);
            await _audit.CommitAsync(db,
            [
                Record(AuditActions.WebhookCreate, actor, $"webhook={webhook.Id} name={webhook.Name} url={WebhookUrl.Redact(webhook.Url)} enabled={webhook.Enabled}"),
                SecretRecord(webhook, actor),
            ], cancellationToken).ConfigureAwait(false);
            return new(new CreatedWebhook { Webhook = await InfoAsync(db, webhook, cancellationToken).ConfigureAwait(false), Secret = secret });
        }
    }

    /// <summary>
    /// Changes name, URL and enabled flag. <paramref name="revision"/> is the <see cref="WebhookInfo.Revision"/> the
    /// editor started from: if someone saved in between, a field error says so and nothing changes. Null when the
    /// webhook does not exist.
    /// </summary>
    public async Task<CommandResult<WebhookInfo>?> UpdateAsync(
        Guid id, int revision, WebhookDraft draft, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var errors = Validate(draft);
        if (errors.Count > 0)
        {
            return new(errors);
        }

        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, cancellationToken).ConfigureAwait(false);
            if (webhook is null)
            {
                return null;
            }

            if (webhook.Revision != revision)
            {
                return new([new FieldError("", "Someone else changed this webhook meanwhile. Reload it and apply your change again.")]);
            }

            var name = draft.Name.Trim();
            if (await NameTakenAsync(db, name, id, cancellationToken).ConfigureAwait(false))
            {
                return new([new FieldError("name", $"A webhook named '{name}' exists already.")]);
            }

            webhook.Name = name;
            webhook.Url = draft.Url.Trim();
            webhook.Enabled = draft.Enabled;
            webhook.UpdatedAt = _time.GetUtcNow();
            webhook.Revision++;
            try
            {
                await _audit.CommitAsync(db,
                    [Record(AuditActions.WebhookUpdate, actor, $"webhook={webhook.Id} name={webhook.Name} url={WebhookUrl.Redact(webhook.Url)} enabled={webhook.Enabled}")],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                return new([new FieldError("", "Someone else changed this webhook meanwhile. Reload it and apply your change again.")]);
            }

            if (webhook.Enabled)
            {
                _deliveriesAdded();
            }

            return new(await InfoAsync(db, webhook, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Replaces the signing secret with a fresh one (new vault version; the old version stays stored but unused) and
    /// returns it this once. Deliveries after this call are signed with the new secret. Null when the webhook does not
    /// exist.
    /// </summary>
    public async Task<CreatedWebhook?> RotateSecretAsync(Guid id, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, cancellationToken).ConfigureAwait(false);
            if (webhook is null)
            {
                return null;
            }

            var secret = NewSecret();
            using (var value = new SecretValue(secret))
            {
                webhook.SecretVersion = await _vault.StageAsync(db, webhook.Id, SecretField, value, actor, cancellationToken).ConfigureAwait(false);
            }

            webhook.UpdatedAt = _time.GetUtcNow();
            webhook.Revision++;
            await _audit.CommitAsync(db,
            [
                Record(AuditActions.WebhookRotateSecret, actor, $"webhook={webhook.Id} name={webhook.Name} secret_version={webhook.SecretVersion}"),
                SecretRecord(webhook, actor),
            ], cancellationToken).ConfigureAwait(false);
            return new CreatedWebhook { Webhook = await InfoAsync(db, webhook, cancellationToken).ConfigureAwait(false), Secret = secret };
        }
    }

    /// <summary>
    /// Deletes the webhook, its deliveries (pending ones are dropped: the alerts themselves stay) and its stored
    /// secrets. False when it does not exist.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, cancellationToken).ConfigureAwait(false);
            if (webhook is null)
            {
                return false;
            }

            var pending = await db.WebhookDeliveries
                .CountAsync(d => d.WebhookId == id && (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Delivering), cancellationToken)
                .ConfigureAwait(false);
            db.Webhooks.Remove(webhook);
            db.WebhookDeliveries.RemoveRange(await db.WebhookDeliveries.Where(d => d.WebhookId == id).ToListAsync(cancellationToken).ConfigureAwait(false));
            db.StoredSecrets.RemoveRange(await db.StoredSecrets.Where(s => s.OwnerId == id).ToListAsync(cancellationToken).ConfigureAwait(false));
            await _audit.CommitAsync(db,
                [Record(AuditActions.WebhookDelete, actor, $"webhook={webhook.Id} name={webhook.Name} pending_dropped={pending}")],
                cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// Queues a <c>webhook.test</c> event for this webhook (delivered like an alert, with retries; sent even while the
    /// webhook is disabled, since an administrator asked for it). Returns the delivery id to follow with
    /// <see cref="GetDeliveryAsync"/>, or null when the webhook does not exist.
    /// </summary>
    public async Task<Guid?> SendTestAsync(Guid id, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var webhook = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken).ConfigureAwait(false);
            if (webhook is null)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            var eventId = Guid.NewGuid();
            var delivery = new WebhookDelivery
            {
                Id = Guid.NewGuid(),
                WebhookId = id,
                AlertId = null,
                EventId = eventId,
                EventType = WebhookPayload.Test,
                Payload = WebhookPayload.ForTest(eventId, webhook.Name, now),
                State = WebhookDeliveryState.Pending,
                Attempts = 0,
                CreatedAt = now,
                NextAttemptAt = now,
            };
            db.WebhookDeliveries.Add(delivery);
            await _audit.CommitAsync(db,
                [Record(AuditActions.WebhookTest, actor, $"webhook={webhook.Id} name={webhook.Name} event={eventId}")],
                cancellationToken).ConfigureAwait(false);
            _deliveriesAdded();
            return delivery.Id;
        }
    }

    /// <summary>The current state of one delivery; null when it does not exist (or its webhook was deleted).</summary>
    public async Task<AlertDeliveryStatus?> GetDeliveryAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await (
                    from d in db.WebhookDeliveries.AsNoTracking()
                    join w in db.Webhooks.AsNoTracking() on d.WebhookId equals w.Id
                    where d.Id == deliveryId
                    select new { d, w.Name })
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return row is null ? null : AlertDeliveryStatus.From(row.d, row.Name);
        }
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static async Task<bool> NameTakenAsync(OpenKcmDbContext db, string name, Guid? except, CancellationToken cancellationToken)
    {
        // Case-insensitive so "Ops" and "ops" cannot both exist; few rows, so compare in memory.
        var names = await db.Webhooks.AsNoTracking().Where(w => except == null || w.Id != except)
            .Select(w => w.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        return names.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    private static async Task<WebhookInfo> InfoAsync(OpenKcmDbContext db, Webhook w, CancellationToken cancellationToken)
    {
        var last = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == w.Id)
            .OrderByDescending(d => d.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var pending = await db.WebhookDeliveries.AsNoTracking()
            .CountAsync(d => d.WebhookId == w.Id && (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Delivering), cancellationToken)
            .ConfigureAwait(false);
        return new WebhookInfo
        {
            Id = w.Id,
            Name = w.Name,
            Url = w.Url,
            DisplayUrl = WebhookUrl.Redact(w.Url),
            Enabled = w.Enabled,
            SecretVersion = w.SecretVersion,
            CreatedAt = w.CreatedAt,
            UpdatedAt = w.UpdatedAt,
            Revision = w.Revision,
            LastDelivery = last is null ? null : AlertDeliveryStatus.From(last, w.Name),
            PendingDeliveries = pending,
        };
    }

    private static AuditRecord Record(string action, Actor actor, string detail) => new()
    {
        Action = action,
        Actor = actor,
        Outcome = AuditOutcome.Success,
        Detail = detail,
    };

    private static AuditRecord SecretRecord(Webhook w, Actor actor) => new()
    {
        Action = AuditActions.SecretWrite,
        Actor = actor,
        Outcome = AuditOutcome.Success,
        Detail = $"webhook={w.Id} field={SecretField} version={w.SecretVersion}",
    };
}

using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Tenants;

/// <summary>
/// Lists and creates tenants, and makes sure the <c>default</c> tenant exists. Singleton; thread-safe (a short-lived
/// DbContext per call). Creations are audited as <c>tenant.create</c>; cancellation stops a call before its audit entry.
/// </summary>
public sealed partial class TenantService
{
    public const string NameField = "name";

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    internal TenantService(IDbContextFactory<OpenKcmDbContext> dbFactory, AuditLog audit, TimeProvider time)
    {
        _dbFactory = dbFactory;
        _audit = audit;
        _time = time;
    }

    /// <summary>
    /// Name rules: 2 to 63 characters, lower-case letters, digits and hyphens, starting with a letter and not ending
    /// with a hyphen (usable in URLs and as a DNS label). Returns the errors, empty when valid.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [new FieldError(NameField, "Enter a tenant name.")];
        }

        return NamePattern().IsMatch(name)
            ? []
            : [new FieldError(NameField, "Use 2 to 63 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen.")];
    }

    /// <summary>Returns the <c>default</c> tenant, creating it (audited as the system) when it does not exist.</summary>
    public async Task<Tenant> EnsureDefaultAsync(CancellationToken cancellationToken)
    {
        if (await FindByNameAsync(Tenant.DefaultName, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        try
        {
            return await InsertAsync(Tenant.DefaultName, Actor.System, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another instance created it first.
            return await FindByNameAsync(Tenant.DefaultName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The default tenant could not be created.");
        }
    }

    /// <summary>All tenants, ordered by name.</summary>
    public async Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<Tenant?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<Tenant?> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates a tenant. Invalid or already used names come back as errors on <see cref="NameField"/> (and are audited
    /// as failures); nothing is saved then.
    /// </summary>
    public async Task<CommandResult<Tenant>> AddAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var trimmed = name?.Trim() ?? "";
        var errors = ValidateName(trimmed);
        if (errors.Count == 0 && await FindByNameAsync(trimmed, cancellationToken).ConfigureAwait(false) is not null)
        {
            errors = [new FieldError(NameField, $"A tenant named '{trimmed}' already exists.")];
        }

        if (errors.Count > 0)
        {
            await _audit.AppendAsync(new AuditRecord
            {
                Action = AuditActions.TenantCreate,
                Actor = actor,
                Outcome = AuditOutcome.Failure,
                Detail = $"rejected: {errors[0].Message}",
            }, cancellationToken).ConfigureAwait(false);
            return new CommandResult<Tenant>(errors);
        }

        return new CommandResult<Tenant>(await InsertAsync(trimmed, actor, cancellationToken).ConfigureAwait(false));
    }

    private async Task<Tenant> InsertAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        var tenant = new Tenant { Id = Guid.NewGuid(), Name = name, CreatedAt = _time.GetUtcNow() };
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            db.Tenants.Add(tenant);
            await _audit.CommitAsync(db,
            [
                new AuditRecord
                {
                    Action = AuditActions.TenantCreate,
                    Actor = actor,
                    Outcome = AuditOutcome.Success,
                    TenantId = tenant.Id,
                    Detail = $"name={name}",
                },
            ], cancellationToken).ConfigureAwait(false);
            return tenant;
        }
    }

    [GeneratedRegex("^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

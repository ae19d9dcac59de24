using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Data;

/// <summary>
/// Brings storage up before anything else runs: creates the data directory, loads the KEK (a KEK file readable by
/// others stops the start here), applies the hand-written migrations, and makes sure the <c>default</c> tenant exists.
/// Registered as the first hosted service of Core; <see cref="StartAsync"/> completes when the database is ready, so
/// hosted services registered after <c>AddOpenKcmCore</c> can use it. Cancellation aborts the start.
/// </summary>
public sealed class DatabaseInitializer : IHostedService
{
    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly string _dataDirectory;
    private readonly IKeyEncryptionKeyProvider _kekProvider;
    private readonly CredentialVault _vault;
    private readonly TenantService _tenants;
    private readonly ILogger<DatabaseInitializer> _logger;

    internal DatabaseInitializer(
        IDbContextFactory<OpenKcmDbContext> dbFactory, string dataDirectory, IKeyEncryptionKeyProvider kekProvider,
        CredentialVault vault, TenantService tenants, ILogger<DatabaseInitializer> logger)
    {
        _dbFactory = dbFactory;
        _dataDirectory = dataDirectory;
        _kekProvider = kekProvider;
        _vault = vault;
        _tenants = tenants;
        _logger = logger;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        DataDirectory.Ensure(_dataDirectory);
        var kek = _kekProvider.GetCurrent();
        _logger.LogInformation("Credential vault KEK {KekId} loaded from {Source}.", kek.Id, _kekProvider.Source);

        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            if (db.Database.IsSqlite())
            {
                // WAL: the dashboard and audit readers never block the writer, nor it them. Stored in the file itself.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            }

            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        var foreign = await _vault.FindForeignKekIdsAsync(cancellationToken).ConfigureAwait(false);
        if (foreign.Count > 0)
        {
            _logger.LogWarning(
                "Stored credentials are wrapped under KEK {ForeignKekIds}, but the configured KEK is {KekId}: they cannot be " +
                "decrypted until that key is restored (or a re-wrap is completed).", string.Join(", ", foreign), kek.Id);
        }

        await _tenants.EnsureDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For readiness checks: the migrations of Core's schema not yet applied (empty when the database is up to date).
    /// Throws when the database cannot be reached.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

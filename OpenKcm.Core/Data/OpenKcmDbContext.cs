using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Data;

/// <summary>
/// Core's tables: tenants, keystores, keystore_versions, stored_secrets, audit_entries. Short-lived: create one per
/// unit of work through <c>IDbContextFactory&lt;OpenKcmDbContext&gt;</c> (Blazor Server circuits outlive any sensible
/// context lifetime). Not thread-safe, like every DbContext. The schema is created by the hand-written migrations in
/// <c>Data/Migrations</c>; a test proves they create exactly what this model describes.
/// </summary>
internal sealed class OpenKcmDbContext(DbContextOptions<OpenKcmDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Keystore> Keystores => Set<Keystore>();

    public DbSet<KeystoreVersion> KeystoreVersions => Set<KeystoreVersion>();

    public DbSet<StoredSecret> StoredSecrets => Set<StoredSecret>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<HealthHistoryRow> HealthHistory => Set<HealthHistoryRow>();

    public DbSet<KeystoreThresholdOverride> KeystoreThresholdOverrides => Set<KeystoreThresholdOverride>();

    public DbSet<BackupVerificationRow> BackupVerifications => Set<BackupVerificationRow>();

    public DbSet<Alert> Alerts => Set<Alert>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // The migrations are written by hand (the EF design-time tools cannot be installed here), so there is no
        // model snapshot and EF 9+ would always report "pending model changes" and throw from Migrate(). The guard
        // against drift is the test that compares the migrated schema with the model's (MigrationsTests).
        optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTimestampConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(b =>
        {
            b.ToTable("tenants");
            b.HasKey(t => t.Id);
            b.Property(t => t.Name).HasMaxLength(63);
            b.HasIndex(t => t.Name).IsUnique();
        });

        modelBuilder.Entity<Keystore>(b =>
        {
            b.ToTable("keystores");
            b.HasKey(k => k.Id);
            b.Property(k => k.Name).HasMaxLength(64);
            b.Property(k => k.Kind).HasMaxLength(64);
            b.Property(k => k.State).HasConversion<string>().HasMaxLength(16);
            b.Property(k => k.LastTestOutcome).HasConversion<string>().HasMaxLength(24);
            b.Property(k => k.Revision).IsConcurrencyToken();
            b.HasIndex(k => new { k.TenantId, k.Name }).IsUnique();
            b.HasIndex(k => k.BackupKeystoreId);
            b.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Restrict);
            b.HasOne<Keystore>().WithMany().HasForeignKey(k => k.BackupKeystoreId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<KeystoreVersion>(b =>
        {
            b.ToTable("keystore_versions");
            b.HasKey(v => new { v.KeystoreId, v.Version });
            b.Property(v => v.CreatedById).HasMaxLength(256);
            b.Property(v => v.CreatedByName).HasMaxLength(256);
            b.Property(v => v.TestOutcome).HasConversion<string>().HasMaxLength(24);
            b.HasOne<Keystore>().WithMany().HasForeignKey(v => v.KeystoreId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<StoredSecret>(b =>
        {
            b.ToTable("stored_secrets");
            b.HasKey(s => new { s.OwnerId, s.Field, s.Version });
            b.Property(s => s.Field).HasMaxLength(64);
            b.Property(s => s.KekId).HasMaxLength(32);
            b.Property(s => s.CreatedById).HasMaxLength(256);
            b.HasIndex(s => s.KekId);
        });

        modelBuilder.Entity<AuditEntry>(b =>
        {
            b.ToTable("audit_entries");
            b.HasKey(e => e.Sequence);
            b.Property(e => e.Sequence).ValueGeneratedNever();
            b.Property(e => e.ActorId).HasMaxLength(256);
            b.Property(e => e.ActorName).HasMaxLength(256);
            b.Property(e => e.Action).HasMaxLength(64);
            b.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
            b.Property(e => e.Detail).HasMaxLength(1024);
            b.Property(e => e.PreviousHash).HasMaxLength(64);
            b.Property(e => e.Hash).HasMaxLength(64);
            b.HasIndex(e => e.Timestamp);
            b.HasIndex(e => e.Action);
            b.HasIndex(e => e.TenantId);
            b.HasIndex(e => e.KeystoreId);
        });

        modelBuilder.Entity<HealthHistoryRow>(b =>
        {
            b.ToTable("health_history");
            b.HasKey(r => new { r.KeystoreId, r.DurationSeconds, r.Start });
            b.Property(r => r.LastErrorKind).HasMaxLength(32);
            b.Property(r => r.LastErrorMessage).HasMaxLength(1024);
            b.HasIndex(r => new { r.DurationSeconds, r.Start });
        });

        modelBuilder.Entity<KeystoreThresholdOverride>(b =>
        {
            b.ToTable("keystore_threshold_overrides");
            b.HasKey(o => o.KeystoreId);
            b.Property(o => o.UpdatedById).HasMaxLength(256);
            b.HasOne<Keystore>().WithMany().HasForeignKey(o => o.KeystoreId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<BackupVerificationRow>(b =>
        {
            b.ToTable("backup_verifications");
            b.HasKey(v => v.KeystoreId);
            b.HasOne<Keystore>().WithMany().HasForeignKey(v => v.KeystoreId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Alert>(b =>
        {
            b.ToTable("alerts");
            b.HasKey(a => a.Id);
            b.Ignore(a => a.IsAcknowledged);
            b.Property(a => a.Type).HasConversion<string>().HasMaxLength(32);
            b.Property(a => a.Severity).HasConversion<string>().HasMaxLength(16);
            b.Property(a => a.TenantName).HasMaxLength(63);
            b.Property(a => a.KeystoreName).HasMaxLength(64);
            b.Property(a => a.Title).HasMaxLength(256);
            b.Property(a => a.Detail).HasMaxLength(1024);
            b.Property(a => a.DedupKey).HasMaxLength(128);
            b.Property(a => a.AcknowledgedById).HasMaxLength(256);
            b.Property(a => a.AcknowledgedByName).HasMaxLength(256);
            b.HasIndex(a => a.LastOccurredAt);
            b.HasIndex(a => a.AcknowledgedAt);
            b.HasIndex(a => new { a.KeystoreId, a.Type });
            b.HasIndex(a => a.DedupKey).IsUnique();
        });

        modelBuilder.Entity<Webhook>(b =>
        {
            b.ToTable("webhooks");
            b.HasKey(w => w.Id);
            b.Property(w => w.Name).HasMaxLength(64);
            b.Property(w => w.Url).HasMaxLength(2048);
            b.Property(w => w.Revision).IsConcurrencyToken();
            b.HasIndex(w => w.Name).IsUnique();
        });

        modelBuilder.Entity<WebhookDelivery>(b =>
        {
            b.ToTable("webhook_deliveries");
            b.HasKey(d => d.Id);
            b.Property(d => d.EventType).HasMaxLength(32);
            b.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            b.Property(d => d.LastError).HasMaxLength(512);
            b.HasIndex(d => new { d.State, d.NextAttemptAt });
            b.HasIndex(d => d.WebhookId);
            b.HasIndex(d => d.AlertId);
            b.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne<Alert>().WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    private static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

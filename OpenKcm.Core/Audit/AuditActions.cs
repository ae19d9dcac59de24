namespace OpenKcm.Core.Audit;

/// <summary>
/// The audited action names, <c>area.verb</c>, so the audit page can filter by prefix (<c>keystore.</c>,
/// <c>secret.</c>). Other components may use their own names in the same shape.
/// </summary>
public static class AuditActions
{
    public const string SignIn = "auth.sign_in";
    public const string SignInFailed = "auth.sign_in_failed";
    public const string SignOut = "auth.sign_out";
    public const string FirstAdministrator = "setup.first_admin";
    public const string UserCreate = "user.create";
    public const string UserRolesChanged = "user.roles_changed";
    public const string UserLock = "user.lock";
    public const string UserUnlock = "user.unlock";
    public const string TenantCreate = "tenant.create";
    public const string KeystoreCreate = "keystore.create";
    public const string KeystoreUpdate = "keystore.update";
    public const string KeystoreTest = "keystore.test";
    public const string KeystoreActivate = "keystore.activate";
    public const string KeystoreSuspend = "keystore.suspend";
    public const string KeystoreResume = "keystore.resume";
    public const string KeystoreRetire = "keystore.retire";
    public const string KeystoreRollback = "keystore.rollback";
    public const string KeystoreExport = "keystore.export";
    public const string KeystoreOperation = "keystore.operation";
    public const string KeystoreVerifyL1 = "keystore.verify_l1";
    public const string KeystoreThresholdsUpdate = "keystore.thresholds_update";
    public const string KeystoreFailover = "keystore.failover";
    public const string KeystoreFailback = "keystore.failback";
    public const string KeystoreVerifyBackup = "keystore.verify_backup";
    public const string SecretWrite = "secret.write";
    public const string SecretUse = "secret.use";
    public const string SecretRewrap = "secret.rewrap";
    public const string AlertRaise = "alert.raise";
    public const string AlertAcknowledge = "alert.acknowledge";

    /// <summary>The alert retention sweep deleted closed alerts past the retention (one entry per batch, with counts).</summary>
    public const string AlertRetention = "alert.retention";
    public const string WebhookCreate = "webhook.create";
    public const string WebhookUpdate = "webhook.update";
    public const string WebhookDelete = "webhook.delete";
    public const string WebhookRotateSecret = "webhook.rotate_secret";
    public const string WebhookTest = "webhook.test";

    /// <summary>A webhook delivery gave up after its last attempt (the alert stays visible with that state).</summary>
    public const string WebhookDeliveryFailed = "webhook.delivery_failed";
    public const string DisplayTokenCreate = "display_token.create";
    public const string DisplayTokenRevoke = "display_token.revoke";

    /// <summary>The first use of a display token on a UTC day (not every request: a wall screen reconnects often).</summary>
    public const string DisplayTokenUse = "display_token.use";
}

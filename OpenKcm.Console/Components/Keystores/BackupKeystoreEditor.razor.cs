using System.Globalization;
using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;

namespace OpenKcm.Console.Components.Keystores;

/// <summary>
/// The "Backup keystore" choice of one keystore on the Plugin Configuration page: the keystores it may fail over to
/// (same tenant, same kind, not retired, not itself), Save (refusals shown next to the field), and Verify backup
/// (a fresh value wrapped by the keystore, unwrapped by the backup; audited), with the verification state: "verified at
/// …" only while the last successful verification covers the active versions of both keystores (failover is off
/// otherwise). The page's ManageKeystores policy guards it; the service re-checks every rule.
/// </summary>
public sealed partial class BackupKeystoreEditor
{
    private string _selected = "";
    private Guid? _shownBackup;
    private Guid? _parameterBackup;
    private Guid _shownKeystore;
    private bool _busy;
    private bool _verifying;
    private string? _error;
    private string? _saved;
    private BackupVerification? _result;
    private BackupVerificationRecord? _verification;
    private bool _verified;

    [Inject] public required KeystoreService Keystores { get; init; }

    [Inject] public required BackupVerifier Verifier { get; init; }

    [Inject] public required CurrentActor CurrentActor { get; init; }

    [Inject] public required ILogger<BackupKeystoreEditor> Logger { get; init; }

    [Parameter, EditorRequired] public required KeystoreInfo Keystore { get; set; }

    /// <summary>Every keystore the page lists; the editor offers those that qualify.</summary>
    [Parameter, EditorRequired] public required IReadOnlyList<KeystoreInfo> Candidates { get; set; }

    /// <summary>
    /// Called after a successful save. The editor keeps showing what it saved (and its message) by itself; a page that
    /// reloads its list on this may re-create the editor (data grids re-create row templates) and lose the message.
    /// </summary>
    [Parameter] public EventCallback Saved { get; set; }

    private string SelectId => $"backup-{Keystore.Id:N}";

    private string ErrorId => $"backup-error-{Keystore.Id:N}";

    private bool IsChanged => _selected != (_shownBackup?.ToString() ?? "");

    /// <summary>Qualifying keystores, plus the current backup even if it no longer qualifies (so the field shows it).</summary>
    private IEnumerable<KeystoreInfo> Choices => Candidates
        .Where(c => c.Id != Keystore.Id && c.TenantId == Keystore.TenantId
            && ((string.Equals(c.Kind, Keystore.Kind, StringComparison.Ordinal) && c.State != KeystoreState.Retired) || c.Id == _shownBackup))
        .OrderBy(c => c.Name, StringComparer.Ordinal);

    protected override void OnParametersSet()
    {
        // Keep the user's unsaved choice and what was saved here across re-renders; follow the parameter only when it
        // changes (another keystore, or the page reloaded a newer state).
        if (_shownKeystore != Keystore.Id || _parameterBackup != Keystore.BackupKeystoreId)
        {
            _shownKeystore = Keystore.Id;
            _parameterBackup = Keystore.BackupKeystoreId;
            _shownBackup = Keystore.BackupKeystoreId;
            _selected = Keystore.BackupKeystoreId?.ToString() ?? "";
            _verification = Keystore.BackupVerification;
            _verified = Keystore.BackupVerified;
        }
    }

    /// <summary>The verification state shown for the saved backup; null when none is saved.</summary>
    private string? VerificationState => _shownBackup is null
        ? null
        : _verified && _verification is { } v
            ? $"Verified at {Format(v.VerifiedAt)} (v{v.PrimaryVersion} → v{v.BackupVersion})."
            : _verification is { } stale
                ? $"Not verified for the active versions (last verified at {Format(stale.VerifiedAt)} for v{stale.PrimaryVersion} → v{stale.BackupVersion}): failover to it is off until Verify backup succeeds."
                : "Not verified: failover to it is off until Verify backup succeeds.";

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private void OnSelected(ChangeEventArgs e)
    {
        _selected = e.Value as string ?? "";
        _error = null;
        _saved = null;
        _result = null;
    }

    private async Task SaveAsync()
    {
        _busy = true;
        _error = null;
        _saved = null;
        _result = null;
        try
        {
            Guid? backupId = Guid.TryParse(_selected, out var id) ? id : null;
            var updated = await Keystores.SetBackupAsync(Keystore.Id, backupId, await CurrentActor.GetAsync(), CancellationToken.None);
            _shownBackup = updated.BackupKeystoreId;
            _verification = updated.BackupVerification;
            _verified = updated.BackupVerified;
            _saved = backupId is null ? "No backup." : "Backup saved. Verify it holds the same L1 key.";
            await Saved.InvokeAsync();
        }
        catch (KeystoreCommandException e)
        {
            _error = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Saving the backup of keystore {KeystoreId} failed.", Keystore.Id);
            _error = "The backup could not be saved (database or audit log unavailable). The server log has the details.";
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task VerifyAsync()
    {
        _busy = _verifying = true;
        _error = null;
        _saved = null;
        _result = null;
        try
        {
            _result = await Verifier.VerifyAsync(Keystore.Id, await CurrentActor.GetAsync(), CancellationToken.None);
            if (await Keystores.GetAsync(Keystore.Id, CancellationToken.None) is { } current)
            {
                _verification = current.BackupVerification;
                _verified = current.BackupVerified;
            }
        }
        catch (KeystoreCommandException e)
        {
            _error = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "Verifying the backup of keystore {KeystoreId} could not be completed.", Keystore.Id);
            _error = "The verification could not be recorded (database or audit log unavailable). The server log has the details.";
        }
        finally
        {
            _busy = _verifying = false;
        }
    }
}

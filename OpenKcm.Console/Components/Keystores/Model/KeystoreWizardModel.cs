using System.Collections.Immutable;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Components.Keystores.Model;

/// <summary>
/// State of the Add New Keystore wizard, independent of the renderer: the chosen type, the entered values, field
/// errors, and the Test Connection progress. Secret inputs are held only until they are saved to the vault and are
/// never rendered back. Not thread-safe: used from one circuit's renderer context.
/// </summary>
public sealed class KeystoreWizardModel
{
    public const string NameField = KeystoreValidation.NameField;
    public const string TenantField = "tenant";

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _secretInputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedSecrets = new(StringComparer.Ordinal);

    public IKeystorePlugin? Plugin { get; private set; }

    /// <summary>Set once the draft is first saved.</summary>
    public Guid? KeystoreId { get; set; }

    /// <summary>The saved configuration version the permissions, test and activation steps refer to.</summary>
    public int? Version { get; set; }

    /// <summary>The keystore's active version when it has one (resuming an active keystore).</summary>
    public int? ActiveVersion { get; set; }

    public Guid? TenantId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Secret fields that already have a value in the vault (for "set" hints and validation).</summary>
    public IReadOnlySet<string> StoredSecrets { get; set; } = ImmutableHashSet<string>.Empty;

    public IReadOnlyDictionary<string, string> Errors => _errors;

    public List<CheckRow> Checks { get; } = [];

    public bool HasErrors => _errors.Count > 0;

    public void SelectPlugin(IKeystorePlugin plugin)
    {
        if (Plugin?.Descriptor.Kind == plugin.Descriptor.Kind)
        {
            return;
        }

        Plugin = plugin;
        _values.Clear();
        _secretInputs.Clear();
        _errors.Clear();
        Checks.Clear();
        foreach (var field in plugin.Descriptor.Fields.Where(f => f.DefaultValue is not null))
        {
            _values[field.Name] = field.DefaultValue!;
        }
    }

    public string GetValue(string field) => _values.GetValueOrDefault(field, "");

    public void SetValue(string field, string? value)
    {
        _values[field] = value ?? "";
        _errors.Remove(field);
    }

    public string GetSecretInput(string field) => _secretInputs.GetValueOrDefault(field, "");

    public void SetSecretInput(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            _secretInputs.Remove(field);
        }
        else
        {
            _secretInputs[field] = value;
        }

        _errors.Remove(field);
    }

    /// <summary>
    /// Secrets typed in this session (to be stored with the next saved version), without those of fields that do not
    /// apply to the current values (see <see cref="ConfigField.ShownWhen"/>).
    /// </summary>
    public ImmutableDictionary<string, string> SecretInputs =>
        _secretInputs.Where(kv => Applies(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Whether a field is shown and saved with the current values (see <see cref="ConfigField.ShownWhen"/>).</summary>
    public bool IsShown(ConfigField field) => field.AppliesTo(name => GetValue(name) is { Length: > 0 } v ? v : null);

    private bool Applies(string name) => Plugin?.Descriptor.FindField(name) is not { } field || IsShown(field);

    public void ClearSecretInputs()
    {
        _secretInputs.Clear();
        _removedSecrets.Clear();
    }

    /// <summary>
    /// Stored secrets to drop from the next saved version: those the administrator chose to remove, and those of fields
    /// that no longer apply (switching AWS from an access key pair to the host's credential chain drops the stored key).
    /// </summary>
    public IReadOnlySet<string> RemovedSecrets =>
        _removedSecrets.Union(StoredSecrets.Where(s => !Applies(s))).ToImmutableHashSet(StringComparer.Ordinal);

    public void SetSecretRemoved(string field, bool removed)
    {
        if (removed)
        {
            _removedSecrets.Add(field);
        }
        else
        {
            _removedSecrets.Remove(field);
        }

        _errors.Remove(field);
    }

    public string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    public KeystoreSettings ToSettings()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _values)
        {
            if (!string.IsNullOrWhiteSpace(value) && Applies(name))
            {
                builder[name] = value;
            }
        }

        return new KeystoreSettings(builder.ToImmutable());
    }

    /// <summary>Fills the form from an imported configuration: every field is replaced, nothing is merged.</summary>
    public void ApplyImport(string name, KeystoreSettings settings, IReadOnlyDictionary<string, string> secrets)
    {
        Name = name;
        _values.Clear();
        _secretInputs.Clear();
        _errors.Clear();
        foreach (var (field, value) in settings.Values)
        {
            _values[field] = value;
        }

        foreach (var (field, value) in secrets)
        {
            _secretInputs[field] = value;
        }
    }

    /// <summary>Validates the configuration step (pure): name, tenant and the plugin's own rules.</summary>
    public bool ValidateConfiguration()
    {
        _errors.Clear();
        if (Plugin is null)
        {
            _errors[NameField] = "Choose a keystore type first.";
            return false;
        }

        if (TenantId is null)
        {
            _errors[TenantField] = "Choose the tenant this keystore belongs to.";
        }

        // The same rules the keystore service applies on save, so the form and the service never disagree.
        var entered = SecretInputs;
        var secretsSet = StoredSecrets.Except(RemovedSecrets).Union(entered.Keys).ToImmutableHashSet(StringComparer.Ordinal);
        var settings = KeystoreValidation.Normalize(Plugin.Descriptor, ToSettings());
        foreach (var error in KeystoreValidation.ValidateName(Name).Concat(KeystoreValidation.Validate(Plugin, settings, secretsSet, entered.Keys)))
        {
            _errors.TryAdd(error.Field, error.Message);
        }

        return _errors.Count == 0;
    }

    public void SetErrors(IEnumerable<FieldError> errors)
    {
        _errors.Clear();
        foreach (var error in errors)
        {
            _errors.TryAdd(error.Field, error.Message);
        }
    }

    public void ResetChecks()
    {
        Checks.Clear();
        if (Plugin is not null)
        {
            Checks.AddRange(Plugin.Descriptor.Checks.Select(c => new CheckRow(c)));
        }
    }

    /// <summary>Marks <paramref name="result"/>'s check done and the next pending one running.</summary>
    public void ApplyCheckResult(CheckResult result)
    {
        var index = Checks.FindIndex(c => c.Definition.Id == result.Id);
        if (index < 0)
        {
            return;
        }

        Checks[index].Result = result;
        Checks[index].IsRunning = false;
        if (index + 1 < Checks.Count && Checks[index + 1].Result is null && result.Outcome != CheckOutcome.Failed)
        {
            Checks[index + 1].IsRunning = true;
        }
    }

    public bool TestPassed => Checks.Count > 0 && Checks.All(c => c.Result?.Outcome is CheckOutcome.Passed or CheckOutcome.Warning);
}

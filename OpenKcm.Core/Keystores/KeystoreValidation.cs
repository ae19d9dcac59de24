using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// Core's own checks on keystore input, run before (and merged with) the plugin's <see cref="IKeystorePlugin.Validate"/>:
/// name rules, unknown fields, required values, and the generic field types. Pure; thread-safe.
/// </summary>
public static partial class KeystoreValidation
{
    public const string NameField = "plugin_name";
    public const string KindField = "plugin_type";

    public static IReadOnlyList<FieldError> ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [new FieldError(NameField, "Enter a name for the keystore.")];
        }

        return NamePattern().IsMatch(name)
            ? []
            : [new FieldError(NameField, "Use 3 to 64 lower-case letters, digits, '_' or '-', starting with a letter (e.g. primary_aws_kms).")];
    }

    /// <summary>Trims values, unifies line ends, drops blank values and blank list lines.</summary>
    public static KeystoreSettings Normalize(PluginDescriptor descriptor, KeystoreSettings settings)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in settings.Values)
        {
            var value = (raw ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
            if (descriptor.FindField(name)?.Type == FieldType.StringList)
            {
                value = string.Join('\n', value.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }

            if (value.Length > 0)
            {
                builder[name.Trim()] = value;
            }
        }

        return new KeystoreSettings(builder.ToImmutable());
    }

    /// <summary>
    /// Core's checks plus the plugin's, one list. A field Core already flagged does not also get the plugin's message
    /// for it (one clear error per field rather than two versions of the same complaint).
    /// </summary>
    public static List<FieldError> Validate(
        IKeystorePlugin plugin, KeystoreSettings settings, IReadOnlySet<string> secretsSet, IEnumerable<string> enteredSecretFields)
    {
        var descriptor = plugin.Descriptor;
        var enteredSecrets = enteredSecretFields.ToImmutableSortedSet(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        foreach (var name in settings.Values.Keys.Order(StringComparer.Ordinal))
        {
            var field = descriptor.FindField(name);
            if (field is null)
            {
                errors.Add(new FieldError(name, $"'{name}' is not a configuration field of {descriptor.DisplayName}."));
            }
            else if (field.IsSecret)
            {
                errors.Add(new FieldError(name, $"'{name}' is a secret: it is entered as a secret, never as a plain setting."));
            }
        }

        foreach (var name in enteredSecrets)
        {
            if (descriptor.FindField(name) is not { IsSecret: true })
            {
                errors.Add(new FieldError(name, $"'{name}' is not a secret field of {descriptor.DisplayName}."));
            }
        }

        foreach (var field in descriptor.Fields)
        {
            var value = settings.Get(field.Name);
            if (!field.AppliesTo(settings.Get))
            {
                var condition = field.ShownWhen!;
                var given = field.IsSecret ? enteredSecrets.Contains(field.Name) : value is not null;
                if (given)
                {
                    errors.Add(new FieldError(field.Name,
                        $"{field.Label} applies only when {descriptor.FindField(condition.Field)?.Label ?? condition.Field} is {string.Join(" or ", condition.Values)}."));
                }

                continue;
            }

            if (field.IsSecret)
            {
                if (field.Required && !secretsSet.Contains(field.Name))
                {
                    errors.Add(new FieldError(field.Name, $"{field.Label} is required."));
                }

                continue;
            }

            if (value is null)
            {
                if (field.Required)
                {
                    errors.Add(new FieldError(field.Name, $"{field.Label} is required."));
                }

                continue;
            }

            var typeError = CheckType(field, value);
            if (typeError is not null)
            {
                errors.Add(new FieldError(field.Name, typeError));
            }
        }

        var flagged = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(plugin.Validate(settings, secretsSet).Where(e => !flagged.Contains(e.Field)));
        return errors;
    }

    private static string? CheckType(ConfigField field, string value) => field.Type switch
    {
        FieldType.Integer when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) =>
            $"{field.Label} must be a whole number.",
        FieldType.Choice when !field.Choices.IsDefaultOrEmpty && !field.Choices.Contains(value, StringComparer.Ordinal) =>
            $"{field.Label} must be one of: {string.Join(", ", field.Choices)}.",
        FieldType.Url when !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) =>
            $"{field.Label} must be an absolute http(s) URL.",
        _ => null,
    };

    [GeneratedRegex("^[a-z][a-z0-9_-]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

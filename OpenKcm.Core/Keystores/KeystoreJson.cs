using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// Import and export in the shape used by the OpenKCM docs:
/// <c>{"plugin_type": "...", "plugin_name": "...", "configuration": {...}}</c>. In <c>configuration</c>, a
/// <see cref="FieldType.StringList"/> is a JSON array of strings, an <see cref="FieldType.Integer"/> a JSON number, every
/// other type a JSON string. Export never writes secret fields. Pure; thread-safe.
/// </summary>
public static class KeystoreJson
{
    public const string PluginTypeProperty = "plugin_type";
    public const string PluginNameProperty = "plugin_name";
    public const string ConfigurationProperty = "configuration";

    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    // The export is shown in a text area and downloaded as a file, never embedded in HTML or script: relaxed escaping
    // keeps '+', '&' and non-ASCII text readable instead of \u002B.
    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parses the JSON shape against the registered plugins. Structural problems only (unknown or duplicate properties,
    /// wrong JSON types, unknown <c>plugin_type</c>); required values and the plugin's rules are checked when the draft
    /// is created. The caller disposes the result.
    /// </summary>
    public static KeystoreImport Parse(string json, PluginRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json ?? "", s_documentOptions);
        }
        catch (JsonException ex)
        {
            // Position only: the exception message may quote the input, which can contain a secret.
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            return new KeystoreImport([new FieldError("$", $"This is not valid JSON{where}.")], ImmutableDictionary<string, SecretValue>.Empty);
        }

        using (document)
        {
            return ParseRoot(document.RootElement, registry);
        }
    }

    /// <summary>Writes the JSON shape for a keystore version: non-secret fields only, in descriptor order.</summary>
    public static string Write(PluginDescriptor descriptor, string name, KeystoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(settings);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(PluginTypeProperty, descriptor.Kind);
            writer.WriteString(PluginNameProperty, name);
            writer.WriteStartObject(ConfigurationProperty);
            foreach (var field in descriptor.Fields.Where(f => !f.IsSecret))
            {
                if (settings.Get(field.Name) is not { } value)
                {
                    continue;
                }

                switch (field.Type)
                {
                    case FieldType.Integer when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number):
                        writer.WriteNumber(field.Name, number);
                        break;
                    case FieldType.StringList:
                        writer.WriteStartArray(field.Name);
                        foreach (var item in settings.GetList(field.Name))
                        {
                            writer.WriteStringValue(item);
                        }

                        writer.WriteEndArray();
                        break;
                    default:
                        writer.WriteString(field.Name, value);
                        break;
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static KeystoreImport ParseRoot(JsonElement root, PluginRegistry registry)
    {
        var secrets = ImmutableDictionary.CreateBuilder<string, SecretValue>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new KeystoreImport(
                [new FieldError("$", $"Expected a JSON object with {PluginTypeProperty}, {PluginNameProperty} and {ConfigurationProperty}.")],
                secrets.ToImmutable());
        }

        var errors = new List<FieldError>();
        JsonElement? kindElement = null, nameElement = null, configuration = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case PluginTypeProperty when kindElement is null:
                    kindElement = property.Value;
                    break;
                case PluginNameProperty when nameElement is null:
                    nameElement = property.Value;
                    break;
                case ConfigurationProperty when configuration is null:
                    configuration = property.Value;
                    break;
                case PluginTypeProperty or PluginNameProperty or ConfigurationProperty:
                    errors.Add(new FieldError(property.Name, $"'{property.Name}' appears more than once."));
                    break;
                default:
                    errors.Add(new FieldError(property.Name,
                        $"Unknown property '{property.Name}'; expected {PluginTypeProperty}, {PluginNameProperty} and {ConfigurationProperty}."));
                    break;
            }
        }

        var kind = RequireString(kindElement, PluginTypeProperty, errors);
        var name = RequireString(nameElement, PluginNameProperty, errors);
        IKeystorePlugin? plugin = null;
        if (kind is not null)
        {
            plugin = registry.Find(kind);
            if (plugin is null)
            {
                var known = registry.All.Count == 0 ? "none" : string.Join(", ", registry.All.Select(p => p.Descriptor.Kind));
                errors.Add(new FieldError(PluginTypeProperty, $"Unknown plugin_type '{kind}'. Registered types: {known}."));
            }
        }

        var settings = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (configuration is not { ValueKind: JsonValueKind.Object } config)
        {
            errors.Add(new FieldError(ConfigurationProperty,
                configuration is null ? $"'{ConfigurationProperty}' is missing." : $"'{ConfigurationProperty}' must be a JSON object."));
        }
        else if (plugin is not null)
        {
            ReadConfiguration(config, plugin.Descriptor, settings, secrets, errors);
        }

        return errors.Count == 0 && kind is not null && name is not null
            ? new KeystoreImport(kind, name, new KeystoreSettings(settings.ToImmutable()), secrets.ToImmutable())
            : new KeystoreImport(errors, secrets.ToImmutable());
    }

    private static void ReadConfiguration(
        JsonElement configuration, PluginDescriptor descriptor, ImmutableDictionary<string, string>.Builder settings,
        ImmutableDictionary<string, SecretValue>.Builder secrets, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in configuration.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (!seen.Add(name))
            {
                errors.Add(new FieldError(name, $"'{name}' appears more than once in {ConfigurationProperty}."));
                continue;
            }

            var field = descriptor.FindField(name);
            if (field is null)
            {
                errors.Add(new FieldError(name,
                    $"Unknown field '{name}' for {descriptor.DisplayName} ({descriptor.Kind}). Known fields: " +
                    $"{string.Join(", ", descriptor.Fields.Select(f => f.Name))}."));
                continue;
            }

            switch (field.Type)
            {
                case FieldType.StringList:
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
                    {
                        errors.Add(new FieldError(name, $"'{name}' must be a JSON array of strings, e.g. [\"a\", \"b\"]; found {Describe(value)}."));
                        break;
                    }

                    settings[name] = string.Join('\n', value.EnumerateArray().Select(i => i.GetString()!.Trim()).Where(i => i.Length > 0));
                    break;
                case FieldType.Integer:
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
                    {
                        errors.Add(new FieldError(name, $"'{name}' must be a JSON number (a whole number, without quotes); found {Describe(value)}."));
                        break;
                    }

                    settings[name] = number.ToString(CultureInfo.InvariantCulture);
                    break;
                default:
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        errors.Add(new FieldError(name, $"'{name}' must be a JSON string; found {Describe(value)}."));
                        break;
                    }

                    var text = value.GetString()!;
                    if (field.IsSecret)
                    {
                        if (text.Length > 0)
                        {
                            secrets[name] = new SecretValue(text);
                        }
                    }
                    else
                    {
                        settings[name] = text;
                    }

                    break;
            }
        }
    }

    private static string? RequireString(JsonElement? element, string property, List<FieldError> errors)
    {
        if (element is null)
        {
            errors.Add(new FieldError(property, $"'{property}' is missing."));
            return null;
        }

        if (element.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.Value.GetString()))
        {
            errors.Add(new FieldError(property, $"'{property}' must be a non-empty JSON string; found {Describe(element.Value)}."));
            return null;
        }

        return element.Value.GetString()!.Trim();
    }

    // Names the JSON type only, never the value (it could be a secret typed into the wrong place).
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

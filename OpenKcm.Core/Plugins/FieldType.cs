namespace OpenKcm.Core.Plugins;

/// <summary>How a configuration value is entered, stored (as a string) and exported to JSON.</summary>
public enum FieldType
{
    /// <summary>Single-line text; JSON string.</summary>
    Text,

    /// <summary>Absolute http(s) URL; JSON string.</summary>
    Url,

    /// <summary>Whole number; JSON number.</summary>
    Integer,

    /// <summary>One of <see cref="ConfigField.Choices"/>; JSON string.</summary>
    Choice,

    /// <summary>List of strings, stored one per line; JSON array of strings.</summary>
    StringList,

    /// <summary>Multi-line PEM text; JSON string.</summary>
    Pem,

    /// <summary>Write-only value kept in the credential vault; never exported.</summary>
    Secret,

    /// <summary>Write-only multi-line PEM (a private key) kept in the credential vault; never exported.</summary>
    SecretPem,
}

namespace OpenKcm.Core;

/// <summary>Options for <see cref="DependencyInjection.AddOpenKcmCore"/>.</summary>
public sealed class OpenKcmCoreOptions
{
    /// <summary>
    /// Where the database (by default) and the <c>kek.key</c> file live. Created with mode 0700 when missing.
    /// Required.
    /// </summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>SQLite connection string; default <c>Data Source=&lt;DataDirectory&gt;/openkcm.db</c>.</summary>
    public string? ConnectionString { get; set; }

    internal string GetConnectionString() =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? $"Data Source={Path.Combine(GetDataDirectory(), "openkcm.db")}"
            : ConnectionString;

    internal string GetDataDirectory() =>
        string.IsNullOrWhiteSpace(DataDirectory)
            ? throw new InvalidOperationException($"{nameof(OpenKcmCoreOptions)}.{nameof(DataDirectory)} must be set.")
            : Path.GetFullPath(DataDirectory);
}

namespace OpenKcm.Core.Plugins;

/// <summary>A validation error shown next to the field it names.</summary>
public sealed record FieldError(string Field, string Message);

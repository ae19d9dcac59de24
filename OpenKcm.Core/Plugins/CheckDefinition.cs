namespace OpenKcm.Core.Plugins;

/// <summary>A Test Connection check as announced before it runs.</summary>
/// <param name="Id">Stable machine id (<c>authenticate</c>, <c>token_lifecycle</c>, ...).</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the check proves.</param>
public sealed record CheckDefinition(string Id, string Name, string Description);

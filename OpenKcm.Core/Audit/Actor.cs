namespace OpenKcm.Core.Audit;

/// <summary>
/// Who performs an audited action: a signed-in user (id and e-mail), or the system itself (background probes,
/// bootstrap). Passed explicitly to every audited service call so audit entries never guess.
/// </summary>
/// <param name="Id">Stable id (the Identity user id, or <c>system:...</c>).</param>
/// <param name="Name">What the audit page shows (e-mail or component name).</param>
public sealed record Actor(string Id, string Name)
{
    public static readonly Actor System = new("system", "system");

    public static Actor Component(string name) => new($"system:{name}", name);
}

namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>A named ACL policy: the text it was written with and the rules parsed from it.</summary>
internal sealed record AclPolicy(string Name, string Text, IReadOnlyList<PathRule> Rules)
{
    /// <summary>The built-in <c>root</c> policy: everything is allowed. It cannot be read, written or deleted.</summary>
    public static AclPolicy Root { get; } = new("root", "", []);

    public bool IsRoot => ReferenceEquals(this, Root);
}

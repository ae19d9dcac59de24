using System.Text.RegularExpressions;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// One path a backend serves (Vault's <c>framework.Path</c>): a pattern relative to the mount, the operations it
/// supports, and whether writes are split into create and update by an existence check.
/// </summary>
internal sealed class VaultPath
{
    /// <summary>The name pattern Vault uses for keys, roles and policies (<c>framework.GenericNameRegex</c>).</summary>
    public const string Name = @"\w(?:[\w\-.]*\w)?";

    private readonly Dictionary<VaultOperation, Func<VaultCall, VaultResponse?>> _operations = [];

    public VaultPath(string pattern)
    {
        Pattern = new Regex("^" + pattern + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public Regex Pattern { get; }

    /// <summary>When set, an update of a resource that does not exist is a create (and needs the create capability).</summary>
    public Func<VaultCall, bool>? ExistenceCheck { get; init; }

    /// <summary>Login paths: served without a token and without an ACL check.</summary>
    public bool Unauthenticated { get; init; }

    /// <summary>Root-protected paths: the token also needs the sudo capability.</summary>
    public bool RequiresSudo { get; init; }

    public VaultPath On(VaultOperation operation, Func<VaultCall, VaultResponse?> handler)
    {
        _operations[operation] = handler;
        return this;
    }

    /// <summary>Writes: on paths with an existence check Vault routes create and update to the same handler.</summary>
    public VaultPath OnWrite(Func<VaultCall, VaultResponse?> handler) =>
        On(VaultOperation.Create, handler).On(VaultOperation.Update, handler);

    public Func<VaultCall, VaultResponse?>? Handler(VaultOperation operation) =>
        _operations.GetValueOrDefault(operation)
        ?? (operation == VaultOperation.Create ? _operations.GetValueOrDefault(VaultOperation.Update) : null);
}

using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// A namespace: its own mount table and policies. Paths are relative to it; the root namespace has the empty path,
/// children have paths like <c>team-a/</c> or <c>team-a/dev/</c>.
/// </summary>
internal sealed class VaultNamespace
{
    private readonly Dictionary<string, Mount> _mounts = new(StringComparer.Ordinal);

    public VaultNamespace(string path, string id, string? uuid = null)
    {
        Path = path;
        Id = id;
        Uuid = uuid ?? Guid.NewGuid().ToString();
    }

    public string Path { get; }

    public string Id { get; }

    public string Uuid { get; }

    public bool IsRoot => Path.Length == 0;

    public JsonObject CustomMetadata { get; set; } = [];

    public PolicyStore Policies { get; } = new();

    public IEnumerable<Mount> Mounts => _mounts.Values.OrderBy(m => m.Path, StringComparer.Ordinal);

    public Mount? MountAt(string path) => _mounts.GetValueOrDefault(path);

    public void AddMount(Mount mount) => _mounts.Add(mount.Path, mount);

    public bool RemoveMount(string path) => _mounts.Remove(path);

    /// <summary>The mount with the longest path that is a prefix of <paramref name="path"/> (Vault's router).</summary>
    public Mount? FindMount(string path)
    {
        Mount? best = null;
        foreach (var mount in _mounts.Values)
        {
            if (path.StartsWith(mount.Path, StringComparison.Ordinal) && mount.Path.Length > (best?.Path.Length ?? -1))
            {
                best = mount;
            }
        }

        return best;
    }

    public JsonObject Describe() => new()
    {
        ["id"] = Id,
        ["uuid"] = Uuid,
        ["path"] = Path,
        ["custom_metadata"] = CustomMetadata.DeepClone(),
        ["tainted"] = false,
        ["locked"] = false,
    };
}

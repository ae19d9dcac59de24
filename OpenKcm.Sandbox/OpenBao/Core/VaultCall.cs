using System.Text.RegularExpressions;
using OpenKcm.Sandbox.OpenBao.Tokens;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>What a path handler gets: the routed request, its namespace and mount, the captured names, the token.</summary>
internal sealed class VaultCall
{
    public required VaultCore Core { get; init; }

    public required VaultNamespace Namespace { get; init; }

    public required Mount Mount { get; init; }

    public required VaultOperation Operation { get; init; }

    public required Match Match { get; init; }

    public required FieldReader Fields { get; init; }

    /// <summary>The caller's token; <c>null</c> only on unauthenticated (login) paths.</summary>
    public TokenEntry? Token { get; init; }

    public DateTimeOffset Now => Core.Time.GetUtcNow();

    /// <summary>A named capture of the path pattern, e.g. <c>call["name"]</c>.</summary>
    public string this[string group] => Match.Groups[group].Value;

    public TokenEntry RequireToken() =>
        Token ?? throw new InvalidOperationException("This path is authenticated; the core checked the token.");
}

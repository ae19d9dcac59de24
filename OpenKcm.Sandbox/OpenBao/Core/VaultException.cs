namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>An error answer: rendered as <c>{"errors":[...]}</c> with the given status code.</summary>
internal sealed class VaultException : Exception
{
    public VaultException(int statusCode, params string[] errors)
        : base(errors.Length == 0 ? $"HTTP {statusCode}" : string.Join("; ", errors))
    {
        StatusCode = statusCode;
        Errors = errors;
    }

    public int StatusCode { get; }

    public IReadOnlyList<string> Errors { get; }

    /// <summary>Vault's <c>logical.ErrPermissionDenied</c>: bad, expired or missing token, or an ACL refusal.</summary>
    public static VaultException PermissionDenied() => new(403, "permission denied");

    public static VaultException BadRequest(string message) => new(400, message);
}

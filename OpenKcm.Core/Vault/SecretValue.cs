using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Core.Vault;

/// <summary>
/// A decrypted secret held only as long as it is needed. <see cref="ToString"/> redacts, so a secret that slips
/// into string interpolation, a log template or an exception message shows as <c>***</c>.
/// Call <see cref="Reveal"/> at the single place the vendor protocol needs the value.
/// </summary>
public sealed class SecretValue : IDisposable
{
    public const string Redacted = "***";

    private readonly byte[] _utf8;

    public SecretValue(string value) => _utf8 = Encoding.UTF8.GetBytes(value);

    public SecretValue(ReadOnlySpan<byte> utf8) => _utf8 = utf8.ToArray();

    public int Length => _utf8.Length;

    /// <summary>The plain value. Only vendor client code calls this, at the point of use.</summary>
    public string Reveal() => Encoding.UTF8.GetString(_utf8);

    public ReadOnlySpan<byte> RevealBytes() => _utf8;

    public override string ToString() => Redacted;

    public void Dispose() => CryptographicOperations.ZeroMemory(_utf8);
}

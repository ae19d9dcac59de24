using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// The wrapped form of L2 material under the L1 key: <c>version (1 byte) ‖ IV (12) ‖ ciphertext ‖ tag (16)</c>, AES-256-GCM
/// with the caller's associated data as AAD. Version 1 is the only one; the byte lets a later format coexist.
/// </summary>
internal static class LunaWrappedValue
{
    public const byte Version1 = 1;

    public const int Overhead = 1 + Ck.GcmIvLength + Ck.GcmTagLength;

    /// <summary>Splits a wrapped value; false when it is too short or of an unknown version.</summary>
    public static bool TrySplit(ReadOnlySpan<byte> wrapped, out ReadOnlySpan<byte> iv, out ReadOnlySpan<byte> ciphertextAndTag)
    {
        if (wrapped.Length < Overhead || wrapped[0] != Version1)
        {
            iv = default;
            ciphertextAndTag = default;
            return false;
        }

        iv = wrapped.Slice(1, Ck.GcmIvLength);
        ciphertextAndTag = wrapped[(1 + Ck.GcmIvLength)..];
        return true;
    }
}

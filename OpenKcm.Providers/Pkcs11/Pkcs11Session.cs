using System.Collections.Immutable;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// One PKCS#11 session. Not thread-safe: PKCS#11 allows one operation at a time per session, so a session belongs to one
/// caller at a time (the <see cref="Pkcs11SessionPool"/> hands sessions out exclusively). Dispose closes it
/// (C_CloseSession); a session whose module was reinitialized or finalized since it was opened is refused before any
/// native call and never closed twice.
/// </summary>
public sealed class Pkcs11Session : IDisposable
{
    private readonly Pkcs11Library _library;
    private readonly SessionSafeHandle _handle;

    internal Pkcs11Session(Pkcs11Library library, nuint slot, nuint handle, int generation)
    {
        _library = library;
        SlotId = slot;
        _handle = new SessionSafeHandle(library, handle, generation);
    }

    public nuint SlotId { get; }

    /// <summary>The module generation this session was opened in (see <see cref="Pkcs11Module.Generation"/>).</summary>
    public int Generation => _handle.Generation;

    /// <summary>False once the session is disposed or its module was reinitialized or finalized.</summary>
    public bool IsAlive => !_handle.IsClosed && _library.Generation == _handle.Generation;

    /// <summary>C_GetSessionInfo.</summary>
    /// <exception cref="Pkcs11Exception">Session closed underneath (CKR_SESSION_HANDLE_INVALID) or the module failed.</exception>
    public Pkcs11SessionInfo GetInfo() => _library.GetSessionInfo(Handle, _handle.Generation);

    /// <summary>
    /// C_Login as the normal user (CKU_USER; on Luna the partition's Crypto Officer). Returns true after a successful
    /// C_Login, false when this process is already logged in to the token with this same PIN (login state is per
    /// application and token, shared by all its sessions; the PIN was verified by the token at that login, and is not
    /// sent again). The PIN is passed by reference and not copied; the caller zeroes it.
    /// </summary>
    /// <exception cref="Pkcs11Exception">The token refused the PIN, or C_Login was not sent
    /// (<see cref="Pkcs11Exception.LoginRefusal"/>: refused earlier in this process, another PIN logged in, final try).</exception>
    public bool Login(ReadOnlySpan<byte> pin) => _library.Login(Handle, _handle.Generation, SlotId, pin);

    public void Logout() => _library.Logout(Handle, _handle.Generation);

    /// <summary>Objects matching <paramref name="template"/>, at most <paramref name="maxCount"/> (1..4096); the search is always finalized.</summary>
    public ImmutableArray<nuint> FindObjects(Pkcs11Template template, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(template);
        return _library.FindObjects(Handle, _handle.Generation, template, maxCount);
    }

    /// <summary>CKO_SECRET_KEY token objects labelled <paramref name="label"/>, at most <paramref name="maxCount"/>.</summary>
    public ImmutableArray<nuint> FindSecretKeys(string label, int maxCount) =>
        FindObjects(new Pkcs11Template().ULong(Ck.CkaClass, Ck.CkoSecretKey).Text(Ck.CkaLabel, label).Bool(Ck.CkaToken, true), maxCount);

    /// <summary>The key's class, type, length, label and usage/protection flags (never its value).</summary>
    public Pkcs11KeyAttributes GetKeyAttributes(nuint key) => _library.GetKeyAttributes(Handle, _handle.Generation, key);

    /// <summary>C_GenerateKey with <paramref name="mechanism"/> (e.g. <see cref="Ck.CkmAesKeyGen"/>) and a template that gives CKA_VALUE_LEN etc.</summary>
    public nuint GenerateKey(nuint mechanism, Pkcs11Template template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return _library.GenerateKey(Handle, _handle.Generation, mechanism, template);
    }

    public void DestroyObject(nuint obj) => _library.DestroyObject(Handle, _handle.Generation, obj);

    /// <summary>C_GenerateRandom into <paramref name="buffer"/>.</summary>
    public void GenerateRandom(Span<byte> buffer) => _library.GenerateRandom(Handle, _handle.Generation, buffer);

    /// <summary>
    /// AES-GCM encryption with a caller-supplied IV (SoftHSM cannot generate one; Luna would append its own after the
    /// tag), associated data and a 128-bit tag. Returns ciphertext ‖ tag (plaintext length + 16 bytes).
    /// </summary>
    /// <exception cref="ArgumentException">The IV is not 12 bytes.</exception>
    public byte[] EncryptAesGcm(nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + Ck.GcmTagLength];
        var written = EncryptAesGcm(key, iv, associatedData, plaintext, output);
        return written == output.Length ? output : output[..written];
    }

    /// <summary>As <see cref="EncryptAesGcm(nuint, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> into a caller buffer of at least plaintext + 16 bytes; returns the bytes written.</summary>
    public int EncryptAesGcm(nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        CheckIv(iv);
        if (output.Length < plaintext.Length + Ck.GcmTagLength)
        {
            throw new ArgumentException($"The output buffer must hold at least {plaintext.Length + Ck.GcmTagLength} bytes.", nameof(output));
        }

        return _library.EncryptAesGcm(Handle, _handle.Generation, key, iv, associatedData, plaintext, output);
    }

    /// <summary>
    /// AES-GCM decryption of ciphertext ‖ tag. A tag that does not verify (wrong associated data, changed ciphertext,
    /// other key) throws <see cref="Pkcs11Exception"/> with <see cref="Pkcs11Exception.IsAuthenticationTagFailure"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The IV is not 12 bytes or the input is shorter than a tag.</exception>
    public byte[] DecryptAesGcm(nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag)
    {
        CheckIv(iv);
        if (ciphertextAndTag.Length < Ck.GcmTagLength)
        {
            throw new ArgumentException($"AES-GCM input must be at least the {Ck.GcmTagLength}-byte tag.", nameof(ciphertextAndTag));
        }

        // SoftHSM wants room for ciphertext + tag even though only the plaintext is written.
        var output = new byte[ciphertextAndTag.Length];
        var written = _library.DecryptAesGcm(Handle, _handle.Generation, key, iv, associatedData, ciphertextAndTag, output);
        return written == output.Length ? output : output[..written];
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Forgets a session the token already closed (CKR_SESSION_HANDLE_INVALID) without calling C_CloseSession: the
    /// module may have handed the same number to a new session since, which a close would destroy.
    /// </summary>
    internal void Abandon() => _handle.SetHandleAsInvalid();

    private nuint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.Session;
        }
    }

    private static void CheckIv(ReadOnlySpan<byte> iv)
    {
        if (iv.Length != Ck.GcmIvLength)
        {
            throw new ArgumentException($"The AES-GCM IV must be {Ck.GcmIvLength} bytes (got {iv.Length}).", nameof(iv));
        }
    }
}

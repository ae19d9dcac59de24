using System.Collections.Immutable;
using System.Text;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// A lease on a PKCS#11 module loaded from a path. There is one module instance per path per process (PKCS#11 allows
/// one C_Initialize per application): every <see cref="Load"/> of the same path shares it, and the last
/// <see cref="Dispose"/> runs C_Finalize. Thread-safe; sessions opened from it are not (one caller at a time each).
/// </summary>
/// <remarks>
/// SoftHSM2 (measured with 2.6.1 on Debian 12): it reads SOFTHSM2_CONF with the C library's getenv and its token
/// directory at C_Initialize, so the variable must be set with libc setenv (not
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/>) before the first <see cref="Load"/>, and a token
/// created afterwards by softhsm2-util appears only after C_Finalize + C_Initialize (<see cref="Reinitialize"/>, or all
/// leases released). Objects created on an existing token by another process (pkcs11-tool) are seen at once.
/// </remarks>
public sealed class Pkcs11Module : IDisposable
{
    private readonly Pkcs11Library _library;
    private int _disposed;

    private Pkcs11Module(Pkcs11Library library) => _library = library;

    /// <summary>The full path of the module file, symbolic links resolved.</summary>
    public string Path => _library.Path;

    /// <summary>Changes whenever the module is (re)initialized; sessions of an earlier generation are dead.</summary>
    public int Generation => _library.Generation;

    /// <summary>C_Login calls made through this module in this process (all leases), for tests and diagnostics.</summary>
    public long LoginCalls => _library.LoginCalls;

    /// <summary>C_OpenSession calls made through this module in this process (all leases).</summary>
    public long OpenSessionCalls => _library.OpenSessionCalls;

    /// <summary>C_CloseSession calls made through this module in this process (all leases).</summary>
    public long CloseSessionCalls => _library.CloseSessionCalls;

    internal Pkcs11Library Library => _library;

    /// <summary>
    /// Validates <paramref name="path"/> (absolute, a regular readable file, an ELF shared object of this process's
    /// architecture, exporting C_GetFunctionList with a usable function list), loads it, and calls C_Initialize with
    /// CKF_OS_LOCKING_OK the first time (CKR_CRYPTOKI_ALREADY_INITIALIZED is accepted). The caller disposes the lease.
    /// </summary>
    /// <exception cref="Pkcs11ModuleException">Anything wrong with the path or the module, with a typed reason.</exception>
    public static Pkcs11Module Load(string path) => new(Pkcs11Library.Acquire(path));

    /// <summary>C_GetInfo.</summary>
    /// <exception cref="Pkcs11Exception">The module refused.</exception>
    public Pkcs11ModuleInfo GetInfo() => Live.GetInfo();

    /// <summary>C_GetSlotList: the slot ids (with a token only, when <paramref name="tokenPresent"/>).</summary>
    public ImmutableArray<nuint> GetSlotList(bool tokenPresent) => Live.GetSlotList(tokenPresent);

    public Pkcs11SlotInfo GetSlotInfo(nuint slot) => Live.GetSlotInfo(slot);

    public Pkcs11TokenInfo GetTokenInfo(nuint slot) => Live.GetTokenInfo(slot);

    public ImmutableArray<nuint> GetMechanismList(nuint slot) => Live.GetMechanismList(slot);

    public Pkcs11MechanismInfo GetMechanismInfo(nuint slot, nuint mechanism) => Live.GetMechanismInfo(slot, mechanism);

    /// <summary>
    /// The tokens whose label is <paramref name="label"/> (compared after trimming the blank padding, ordinal). Slot ids
    /// are not stable (SoftHSM derives them from the serial; Luna renumbers when HA members change), labels are.
    /// </summary>
    public ImmutableArray<Pkcs11TokenInfo> FindTokens(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var builder = ImmutableArray.CreateBuilder<Pkcs11TokenInfo>();
        foreach (var slot in GetSlotList(tokenPresent: true))
        {
            Pkcs11TokenInfo token;
            try
            {
                token = GetTokenInfo(slot);
            }
            catch (Pkcs11Exception ex) when (ex.Code is Ckr.TokenNotPresent or Ckr.TokenNotRecognized or Ckr.SlotIdInvalid)
            {
                continue;
            }

            if (string.Equals(token.Label, label.TrimEnd(' '), StringComparison.Ordinal))
            {
                builder.Add(token);
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>C_OpenSession (serial, read-write unless <paramref name="readWrite"/> is false). The caller disposes it.</summary>
    public Pkcs11Session OpenSession(nuint slot, bool readWrite = true)
    {
        var (handle, generation) = Live.OpenSession(slot, readWrite);
        return new Pkcs11Session(_library, slot, handle, generation);
    }

    /// <summary>C_CloseAllSessions for a slot: every session of this application on it, including other owners' (logs the token out).</summary>
    public void CloseAllSessions(nuint slot) => Live.CloseAllSessions(slot);

    /// <summary>
    /// C_Finalize then C_Initialize (after CKR_DEVICE_ERROR and the like), unless the module was already reinitialized
    /// since <paramref name="observedGeneration"/>. Every session on the module, of every owner, dies. Returns false, and
    /// changes nothing, when another component of this process initialized the module (answered
    /// CKR_CRYPTOKI_ALREADY_INITIALIZED to ours): only it may call C_Finalize, so recovery is not possible here.
    /// </summary>
    public bool Reinitialize(int observedGeneration) => Live.Reinitialize(observedGeneration);

    /// <summary>Whether <paramref name="label"/> can be a token label: PKCS#11 labels are 1 to 32 bytes of UTF-8.</summary>
    public static bool IsValidLabel(string label) => label.Length > 0 && Encoding.UTF8.GetByteCount(label) <= 32;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _library.Release();
        }
    }

    private Pkcs11Library Live
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _library;
        }
    }
}

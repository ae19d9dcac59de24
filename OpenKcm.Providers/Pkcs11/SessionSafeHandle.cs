using System.Runtime.InteropServices;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// Owns one CK_SESSION_HANDLE: released exactly once, by <see cref="Pkcs11Session.Dispose"/> or, if the owner forgot, by
/// the finalizer. A handle of an earlier module generation is not closed (that number may now be someone else's).
/// </summary>
internal sealed class SessionSafeHandle : SafeHandle
{
    private readonly Pkcs11Library _library;
    private readonly int _generation;

    public SessionSafeHandle(Pkcs11Library library, nuint session, int generation)
        : base(0, ownsHandle: true)
    {
        _library = library;
        _generation = generation;
        SetHandle((nint)session);
    }

    public override bool IsInvalid => handle == 0;

    public nuint Session => (nuint)handle;

    public int Generation => _generation;

    protected override bool ReleaseHandle()
    {
        var rv = _library.CloseSession((nuint)handle, _generation);

        // Already closed underneath (C_CloseAllSessions, token removed) is the outcome we wanted.
        return rv is Ckr.Ok or Ckr.SessionHandleInvalid or Ckr.SessionClosed or Ckr.CryptokiNotInitialized
            or Ckr.DeviceRemoved or Ckr.TokenNotPresent;
    }
}

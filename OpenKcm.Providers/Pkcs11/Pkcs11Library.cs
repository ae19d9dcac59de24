using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// One loaded PKCS#11 module, shared by every <see cref="Pkcs11Module"/> lease on the same path in this process.
/// </summary>
/// <remarks>
/// <para>Thread-safety: every native call runs under the read side of a reader/writer lock; C_Finalize/C_Initialize
/// (shutdown, <see cref="Reinitialize"/>) take the write side, so no call is ever in flight while the module restarts.
/// The module is initialized with CKF_OS_LOCKING_OK, so it serializes its own state across threads.</para>
/// <para>Each (re)initialization starts a new <see cref="Generation"/>. Session handles are tagged with the generation
/// that opened them; a handle from an earlier generation is refused before any native call (it may by now name another
/// caller's session), and is never closed.</para>
/// <para>The shared library is never unloaded and the function list never freed: the module owns them, and unloading
/// native code that may hold threads or exit handlers is not safe. C_Finalize runs when the last lease is disposed and at
/// process exit.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as the process: the module is never unloaded.")]
internal sealed unsafe class Pkcs11Library
{
    private static readonly Lock s_registryLock = new();
    private static readonly Dictionary<string, Pkcs11Library> s_libraries = new(StringComparer.Ordinal);
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(5);
    private static bool s_exitHookInstalled;

    /// <summary>Key of the PIN hashes below: random per process, so a hash means nothing outside it.</summary>
    private static readonly byte[] s_pinHashKey = RandomNumberGenerator.GetBytes(32);

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _loginLock = new();

    /// <summary>Per token (label and serial): HMAC of the PIN that last logged in successfully. Under <see cref="_loginLock"/>.</summary>
    private readonly Dictionary<string, byte[]> _loggedInPins = new(StringComparer.Ordinal);

    /// <summary>Per token: HMACs of PINs the token refused, with its answer; for the life of the process. Under <see cref="_loginLock"/>.</summary>
    private readonly Dictionary<string, List<(byte[] Hash, nuint Code)>> _refusedPins = new(StringComparer.Ordinal);
    private readonly CkFunctionList* _functions;
    private int _leases;
    private bool _initialized;
    private bool _ownsInitialization;
    private int _generation;
    private long _loginCalls;
    private long _openSessionCalls;
    private long _closeSessionCalls;

    private Pkcs11Library(string path, CkFunctionList* functions)
    {
        Path = path;
        _functions = functions;
    }

    public string Path { get; }

    /// <summary>Incremented by every C_Initialize; session handles of older generations are dead.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public long LoginCalls => Interlocked.Read(ref _loginCalls);

    public long OpenSessionCalls => Interlocked.Read(ref _openSessionCalls);

    public long CloseSessionCalls => Interlocked.Read(ref _closeSessionCalls);

    /// <summary>Validates, loads and initializes the module at <paramref name="path"/>, or adds a lease on the loaded one.</summary>
    /// <exception cref="Pkcs11ModuleException">The path is not a usable PKCS#11 module or C_Initialize failed.</exception>
    public static Pkcs11Library Acquire(string path)
    {
        var full = ModuleFileCheck.Check(path);
        lock (s_registryLock)
        {
            if (!s_libraries.TryGetValue(full, out var library))
            {
                library = new Pkcs11Library(full, LoadFunctionList(path, full));
                s_libraries.Add(full, library);
            }

            if (!s_exitHookInstalled)
            {
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => FinalizeAll();
                s_exitHookInstalled = true;
            }

            if (library._leases == 0)
            {
                library.Initialize(path);
            }

            library._leases++;
            return library;
        }
    }

    /// <summary>Drops one lease; the last one runs C_Finalize (the library stays loaded for a later lease).</summary>
    public void Release()
    {
        lock (s_registryLock)
        {
            if (--_leases == 0)
            {
                FinalizeModule();
            }
        }
    }

    /// <summary>
    /// C_Finalize then C_Initialize, after a device failure, unless another caller already did it since
    /// <paramref name="observedGeneration"/> (returns true: retry). Every open session of every lease on this module
    /// dies. Returns false, changing nothing, when someone else in this process initialized the module: C_Finalize is
    /// theirs to call, so no restart is possible from here.
    /// </summary>
    public bool Reinitialize(int observedGeneration)
    {
        lock (s_registryLock)
        {
            if (Generation != observedGeneration || _leases == 0)
            {
                return true;
            }

            if (!_ownsInitialization)
            {
                return false;
            }

            FinalizeModule();
            Initialize(Path);
            return true;
        }
    }

    public Pkcs11ModuleInfo GetInfo()
    {
        CkInfo info;
        nuint rv;
        using (EnterModule("C_GetInfo"))
        {
            rv = _functions->C_GetInfo(&info);
        }

        Check("C_GetInfo", rv);
        return new Pkcs11ModuleInfo(ToVersion(info.cryptokiVersion), Text(info.manufacturerID, 32),
            Text(info.libraryDescription, 32), ToVersion(info.libraryVersion));
    }

    public ImmutableArray<nuint> GetSlotList(bool tokenPresent)
    {
        var present = tokenPresent ? (byte)1 : (byte)0;

        // The slot count can change between the two calls (hot-plugged readers): ask again while it grows.
        for (var attempt = 0; ; attempt++)
        {
            nuint count = 0;
            nuint rv;
            using (EnterModule("C_GetSlotList"))
            {
                rv = _functions->C_GetSlotList(present, null, &count);
            }

            Check("C_GetSlotList", rv);
            if (count == 0)
            {
                return [];
            }

            CheckCount("C_GetSlotList", count);

            var slots = new nuint[(int)count];
            fixed (nuint* p = slots)
            {
                using (EnterModule("C_GetSlotList"))
                {
                    rv = _functions->C_GetSlotList(present, p, &count);
                }
            }

            if (rv == Ckr.BufferTooSmall && attempt < 3)
            {
                continue;
            }

            Check("C_GetSlotList", rv);
            return [.. slots.AsSpan(0, (int)Math.Min(count, (nuint)slots.Length))];
        }
    }

    public Pkcs11SlotInfo GetSlotInfo(nuint slot)
    {
        CkSlotInfo info;
        nuint rv;
        using (EnterModule("C_GetSlotInfo"))
        {
            rv = _functions->C_GetSlotInfo(slot, &info);
        }

        Check("C_GetSlotInfo", rv);
        return new Pkcs11SlotInfo(slot, Text(info.slotDescription, 64), Text(info.manufacturerID, 32), info.flags,
            ToVersion(info.hardwareVersion), ToVersion(info.firmwareVersion));
    }

    public Pkcs11TokenInfo GetTokenInfo(nuint slot)
    {
        CkTokenInfo info;
        nuint rv;
        using (EnterModule("C_GetTokenInfo"))
        {
            rv = _functions->C_GetTokenInfo(slot, &info);
        }

        Check("C_GetTokenInfo", rv);
        return new Pkcs11TokenInfo(slot, Text(info.label, 32), Text(info.manufacturerID, 32), Text(info.model, 16),
            Text(info.serialNumber, 16), info.flags, Count(info.ulSessionCount), Count(info.ulMaxSessionCount),
            Count(info.ulRwSessionCount), ToVersion(info.hardwareVersion), ToVersion(info.firmwareVersion));
    }

    public ImmutableArray<nuint> GetMechanismList(nuint slot)
    {
        nuint count = 0;
        nuint rv;
        using (EnterModule("C_GetMechanismList"))
        {
            rv = _functions->C_GetMechanismList(slot, null, &count);
        }

        Check("C_GetMechanismList", rv);
        if (count == 0)
        {
            return [];
        }

        CheckCount("C_GetMechanismList", count);

        var mechanisms = new nuint[(int)count];
        fixed (nuint* p = mechanisms)
        {
            using (EnterModule("C_GetMechanismList"))
            {
                rv = _functions->C_GetMechanismList(slot, p, &count);
            }
        }

        Check("C_GetMechanismList", rv);
        return [.. mechanisms.AsSpan(0, (int)Math.Min(count, (nuint)mechanisms.Length))];
    }

    public Pkcs11MechanismInfo GetMechanismInfo(nuint slot, nuint mechanism)
    {
        CkMechanismInfo info;
        nuint rv;
        using (EnterModule("C_GetMechanismInfo"))
        {
            rv = _functions->C_GetMechanismInfo(slot, mechanism, &info);
        }

        Check("C_GetMechanismInfo", rv);
        return new Pkcs11MechanismInfo(mechanism, info.ulMinKeySize, info.ulMaxKeySize, info.flags);
    }

    /// <summary>C_OpenSession; returns the handle and the generation it belongs to.</summary>
    public (nuint Handle, int Generation) OpenSession(nuint slot, bool readWrite)
    {
        nuint handle = 0;
        int generation;
        nuint rv;
        var flags = Ck.CkfSerialSession | (readWrite ? Ck.CkfRwSession : 0);
        using (EnterModule("C_OpenSession"))
        {
            generation = _generation;
            Interlocked.Increment(ref _openSessionCalls);
            rv = _functions->C_OpenSession(slot, flags, 0, 0, &handle);
        }

        Check("C_OpenSession", rv);
        return (handle, generation);
    }

    /// <summary>C_CloseSession, only if <paramref name="generation"/> is current (otherwise the handle is already dead).</summary>
    public nuint CloseSession(nuint handle, int generation)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_initialized || generation != _generation)
            {
                return Ckr.Ok;
            }

            Interlocked.Increment(ref _closeSessionCalls);
            return _functions->C_CloseSession(handle);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void CloseAllSessions(nuint slot)
    {
        nuint rv;
        using (EnterModule("C_CloseAllSessions"))
        {
            rv = _functions->C_CloseAllSessions(slot);
        }

        Check("C_CloseAllSessions", rv);
    }

    public Pkcs11SessionInfo GetSessionInfo(nuint session, int generation)
    {
        CkSessionInfo info;
        nuint rv;
        using (EnterSession("C_GetSessionInfo", generation))
        {
            rv = _functions->C_GetSessionInfo(session, &info);
        }

        Check("C_GetSessionInfo", rv);
        return new Pkcs11SessionInfo(info.slotID, info.state, info.flags, info.ulDeviceError);
    }

    /// <summary>
    /// C_Login as CKU_USER on the token in <paramref name="slot"/>, guarded by this process's record of that token's logins
    /// (all callers, all pools): returns true after a successful C_Login, false when this process is already logged in
    /// to the token with this same PIN (verified by the token at that earlier login; C_Login is not sent). Throws,
    /// without sending C_Login, when the PIN was refused earlier, when another PIN is logged in (the token would answer
    /// CKR_USER_ALREADY_LOGGED_IN without checking this one), or when the token is at CKF_USER_PIN_FINAL_TRY; see
    /// <see cref="Pkcs11Exception.LoginRefusal"/>. Logins to one module are serialized.
    /// </summary>
    public bool Login(nuint session, int generation, nuint slot, ReadOnlySpan<byte> pin)
    {
        var token = GetTokenInfo(slot);
        var tokenKey = token.Label + "\n" + token.SerialNumber;
        var hash = new byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(s_pinHashKey, pin, hash);
        lock (_loginLock)
        {
            if (_refusedPins.TryGetValue(tokenKey, out var refused)
                && refused.FirstOrDefault(r => CryptographicOperations.FixedTimeEquals(r.Hash, hash)) is { Hash: not null } earlier)
            {
                throw new Pkcs11Exception("C_Login", earlier.Code,
                    "not sent: the token refused this PIN earlier in this process, and HSMs lock a partition after a few failures")
                {
                    LoginRefusal = Pkcs11LoginRefusal.RefusedEarlier,
                };
            }

            if (GetSessionInfo(session, generation).UserLoggedIn)
            {
                return LoggedInWith(tokenKey, hash) ? false : throw DifferentPin();
            }

            if (token.UserPinFinalTry)
            {
                throw new Pkcs11Exception("C_Login", Ckr.PinIncorrect,
                    "not sent: the token reports CKF_USER_PIN_FINAL_TRY after earlier wrong PINs, and one more locks it")
                {
                    LoginRefusal = Pkcs11LoginRefusal.FinalTry,
                };
            }

            nuint rv;
            fixed (byte* p = pin)
            {
                using (EnterSession("C_Login", generation))
                {
                    Interlocked.Increment(ref _loginCalls);
                    rv = _functions->C_Login(session, Ck.CkuUser, p, (nuint)pin.Length);
                }
            }

            if (rv == Ckr.UserAlreadyLoggedIn)
            {
                // Logged in by someone who bypassed this record (another user of the module in this process).
                return LoggedInWith(tokenKey, hash) ? false : throw DifferentPin();
            }

            var failure = new Pkcs11Exception("C_Login", rv);
            if (failure.IsPinFailure)
            {
                if (!_refusedPins.TryGetValue(tokenKey, out var list))
                {
                    _refusedPins[tokenKey] = list = [];
                }

                list.Add((hash, rv));
            }

            Check("C_Login", rv);
            _loggedInPins[tokenKey] = hash;
            return true;
        }
    }

    private bool LoggedInWith(string tokenKey, byte[] hash) =>
        _loggedInPins.TryGetValue(tokenKey, out var current) && CryptographicOperations.FixedTimeEquals(current, hash);

    private static Pkcs11Exception DifferentPin() => new("C_Login", Ckr.UserAlreadyLoggedIn,
        "not sent: this process is already logged in to the token with a different PIN, so the token would not check this one")
    {
        LoginRefusal = Pkcs11LoginRefusal.DifferentPinLoggedIn,
    };

    public void Logout(nuint session, int generation)
    {
        nuint rv;
        using (EnterSession("C_Logout", generation))
        {
            rv = _functions->C_Logout(session);
        }

        Check("C_Logout", rv);
    }

    /// <summary>C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal, always paired (an unfinished search leaves CKR_OPERATION_ACTIVE).</summary>
    public ImmutableArray<nuint> FindObjects(nuint session, int generation, Pkcs11Template template, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxCount, 4096);
        var found = new nuint[maxCount];
        nuint got = 0;
        nuint rv;
        using (EnterSession("C_FindObjectsInit", generation))
        {
            rv = template.Use((attributes, count) => _functions->C_FindObjectsInit(session, (CkAttribute*)attributes, count));
            Check("C_FindObjectsInit", rv);
            fixed (nuint* p = found)
            {
                rv = _functions->C_FindObjects(session, p, (nuint)maxCount, &got);
            }

            var final = _functions->C_FindObjectsFinal(session);
            Check("C_FindObjects", rv);
            Check("C_FindObjectsFinal", final);
        }

        return [.. found.AsSpan(0, (int)Math.Min(got, (nuint)maxCount))];
    }

    public Pkcs11KeyAttributes GetKeyAttributes(nuint session, int generation, nuint obj)
    {
        nuint[] ulongTypes = [Ck.CkaClass, Ck.CkaKeyType, Ck.CkaValueLen];
        nuint[] boolTypes = [Ck.CkaToken, Ck.CkaSensitive, Ck.CkaExtractable, Ck.CkaAlwaysSensitive, Ck.CkaNeverExtractable,
            Ck.CkaEncrypt, Ck.CkaDecrypt, Ck.CkaWrap, Ck.CkaUnwrap];
        var ulongs = new nuint[ulongTypes.Length];
        var bools = new byte[boolTypes.Length];
        var attributes = new CkAttribute[ulongTypes.Length + boolTypes.Length];
        nuint rv;
        fixed (nuint* pu = ulongs)
        fixed (byte* pb = bools)
        fixed (CkAttribute* pa = attributes)
        {
            for (var i = 0; i < ulongTypes.Length; i++)
            {
                pa[i] = new CkAttribute { type = ulongTypes[i], pValue = (nint)(pu + i), ulValueLen = (nuint)sizeof(nuint) };
            }

            for (var i = 0; i < boolTypes.Length; i++)
            {
                pa[ulongTypes.Length + i] = new CkAttribute { type = boolTypes[i], pValue = (nint)(pb + i), ulValueLen = 1 };
            }

            using (EnterSession("C_GetAttributeValue", generation))
            {
                rv = _functions->C_GetAttributeValue(session, obj, pa, (nuint)attributes.Length);
            }
        }

        // Sensitive or unknown attributes: the token fills the others and marks these CK_UNAVAILABLE_INFORMATION.
        if (rv is not (Ckr.Ok or Ckr.AttributeSensitive or Ckr.AttributeTypeInvalid))
        {
            Check("C_GetAttributeValue", rv);
        }

        nuint? U(int i) => attributes[i].ulValueLen == (nuint)sizeof(nuint) ? ulongs[i] : null;
        bool? B(int i) => attributes[ulongTypes.Length + i].ulValueLen == 1 ? bools[i] != 0 : null;
        var valueLength = U(2);
        return new Pkcs11KeyAttributes(obj, U(0), U(1), GetLabel(session, generation, obj),
            valueLength is { } v ? (long)v : null, B(0), B(1), B(2), B(3), B(4), B(5), B(6), B(7), B(8));
    }

    public nuint GenerateKey(nuint session, int generation, nuint mechanismType, Pkcs11Template template)
    {
        nuint key = 0;
        var mechanism = new CkMechanism { mechanism = mechanismType };
        var pMechanism = &mechanism;
        var pKey = &key;
        nuint rv;
        using (EnterSession("C_GenerateKey", generation))
        {
            rv = template.Use((attributes, count) => _functions->C_GenerateKey(session, pMechanism, (CkAttribute*)attributes, count, pKey));
        }

        Check("C_GenerateKey", rv);
        return key;
    }

    public void DestroyObject(nuint session, int generation, nuint obj)
    {
        nuint rv;
        using (EnterSession("C_DestroyObject", generation))
        {
            rv = _functions->C_DestroyObject(session, obj);
        }

        Check("C_DestroyObject", rv);
    }

    public void GenerateRandom(nuint session, int generation, Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        nuint rv;
        fixed (byte* p = buffer)
        {
            using (EnterSession("C_GenerateRandom", generation))
            {
                rv = _functions->C_GenerateRandom(session, p, (nuint)buffer.Length);
            }
        }

        Check("C_GenerateRandom", rv);
    }

    /// <summary>CKM_AES_GCM encryption (C_EncryptInit + C_Encrypt); writes ciphertext ‖ tag into <paramref name="output"/>.</summary>
    public int EncryptAesGcm(nuint session, int generation, nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        fixed (byte* pIv = iv)
        fixed (byte* pAad = aad)
        fixed (byte* pIn = plaintext)
        fixed (byte* pOut = output)
        {
            var gcm = new CkGcmParams
            {
                pIv = (nint)pIv, ulIvLen = (nuint)iv.Length, ulIvBits = (nuint)iv.Length * 8,
                pAAD = aad.IsEmpty ? 0 : (nint)pAad, ulAADLen = (nuint)aad.Length, ulTagBits = Ck.GcmTagLength * 8,
            };
            var mechanism = new CkMechanism { mechanism = Ck.CkmAesGcm, pParameter = (nint)(&gcm), ulParameterLen = (nuint)sizeof(CkGcmParams) };
            // An empty span pins to NULL, and C_Encrypt(NULL, 0) is CKR_ARGUMENTS_BAD on SoftHSM (leaving the operation
            // active): point at a byte that is never read instead.
            byte empty = 0;
            var input = plaintext.IsEmpty ? &empty : pIn;
            var inLength = (nuint)plaintext.Length;
            var outPointer = pOut;
            nuint outLength = (nuint)output.Length;
            _lock.EnterReadLock();
            try
            {
                CheckSession("C_EncryptInit", generation);
                Check("C_EncryptInit", _functions->C_EncryptInit(session, &mechanism, key));
                Check("C_Encrypt", _functions->C_Encrypt(session, input, inLength, outPointer, &outLength));
            }
            finally
            {
                _lock.ExitReadLock();
            }

            return (int)outLength;
        }
    }

    /// <summary>
    /// CKM_AES_GCM decryption of ciphertext ‖ tag. <paramref name="output"/> must be at least as long as the input (SoftHSM
    /// insists). A tag that does not verify throws a <see cref="Pkcs11Exception"/> with
    /// <see cref="Pkcs11Exception.IsAuthenticationTagFailure"/>: tokens answer it with CKR_ENCRYPTED_DATA_INVALID (the
    /// standard's code) or, as SoftHSM does, CKR_GENERAL_ERROR; the latter is taken as a tag failure only when the session
    /// still answers C_GetSessionInfo afterwards, so a real device failure is still reported as one.
    /// </summary>
    public int DecryptAesGcm(nuint session, int generation, nuint key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertextAndTag, Span<byte> output)
    {
        fixed (byte* pIv = iv)
        fixed (byte* pAad = aad)
        fixed (byte* pIn = ciphertextAndTag)
        fixed (byte* pOut = output)
        {
            var gcm = new CkGcmParams
            {
                pIv = (nint)pIv, ulIvLen = (nuint)iv.Length, ulIvBits = (nuint)iv.Length * 8,
                pAAD = aad.IsEmpty ? 0 : (nint)pAad, ulAADLen = (nuint)aad.Length, ulTagBits = Ck.GcmTagLength * 8,
            };
            var mechanism = new CkMechanism { mechanism = Ck.CkmAesGcm, pParameter = (nint)(&gcm), ulParameterLen = (nuint)sizeof(CkGcmParams) };
            nuint outLength = (nuint)output.Length;
            _lock.EnterReadLock();
            try
            {
                CheckSession("C_DecryptInit", generation);
                Check("C_DecryptInit", _functions->C_DecryptInit(session, &mechanism, key));
                var rv = _functions->C_Decrypt(session, pIn, (nuint)ciphertextAndTag.Length, pOut, &outLength);
                if (rv == Ckr.EncryptedDataInvalid)
                {
                    throw new Pkcs11Exception("C_Decrypt", rv, "the authentication tag did not verify") { IsAuthenticationTagFailure = true };
                }

                if (rv == Ckr.GeneralError)
                {
                    CkSessionInfo info;
                    if (_functions->C_GetSessionInfo(session, &info) == Ckr.Ok)
                    {
                        throw new Pkcs11Exception("C_Decrypt", rv, "the authentication tag did not verify; the session is intact")
                        {
                            IsAuthenticationTagFailure = true,
                        };
                    }
                }

                Check("C_Decrypt", rv);
            }
            finally
            {
                _lock.ExitReadLock();
            }

            return (int)outLength;
        }
    }

    internal static void Check(string function, nuint rv)
    {
        if (rv != Ckr.Ok)
        {
            throw new Pkcs11Exception(function, rv);
        }
    }

    /// <summary>A count a module reports before we allocate for it: absurd values are an error, not an allocation.</summary>
    private static void CheckCount(string function, nuint count)
    {
        if (count > 65_536)
        {
            throw new Pkcs11Exception(function, Ckr.GeneralError, $"the module reported {count} entries");
        }
    }

    /// <summary>
    /// At process exit: C_Finalize every module, but wait at most <see cref="s_exitWait"/> for calls in flight (a call
    /// blocked on an unreachable appliance would otherwise hang the exit); a module still busy is left as it is.
    /// </summary>
    private static void FinalizeAll()
    {
        if (!s_registryLock.TryEnter(s_exitWait))
        {
            Console.Error.WriteLine($"OpenKCM: PKCS#11 modules not finalized at exit: a module load or restart was still running after {s_exitWait.TotalSeconds:0} s.");
            return;
        }

        try
        {
            foreach (var library in s_libraries.Values)
            {
                if (!library.FinalizeAtExit(s_exitWait))
                {
                    Console.Error.WriteLine($"OpenKCM: C_Finalize of '{library.Path}' skipped at exit: a PKCS#11 call was still running after {s_exitWait.TotalSeconds:0} s.");
                }
            }
        }
        finally
        {
            s_registryLock.Exit();
        }
    }

    /// <summary>
    /// C_Finalize unless a call is still in flight after <paramref name="wait"/>: then nothing is changed and false is
    /// returned (the module must not be finalized under a running call, and the exit must not wait for it forever).
    /// </summary>
    internal bool FinalizeAtExit(TimeSpan wait)
    {
        if (!_lock.TryEnterWriteLock(wait))
        {
            return false;
        }

        try
        {
            if (_initialized && _ownsInitialization)
            {
                _ = _functions->C_Finalize(0);
            }

            _initialized = false;
            _generation++;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>For tests: holds the lock every native call holds, as a call blocked in the module would. Dispose on the same thread.</summary>
    internal IDisposable SimulateCallInFlight()
    {
        _lock.EnterReadLock();
        return new CallInFlight(_lock);
    }

    private static CkFunctionList* LoadFunctionList(string path, string full)
    {
        if (!NativeLibrary.TryLoad(full, out var handle))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.LoadFailed, path,
                $"The dynamic loader could not load '{path}' (a dependency may be missing, or it is an executable rather than a library).");
        }

        if (!NativeLibrary.TryGetExport(handle, "C_GetFunctionList", out var export))
        {
            NativeLibrary.Free(handle);
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotPkcs11, path,
                $"'{path}' is a shared library but not a PKCS#11 module: it has no C_GetFunctionList.");
        }

        CkFunctionList* list = null;
        var rv = ((delegate* unmanaged[Cdecl]<CkFunctionList**, nuint>)export)(&list);
        if (rv != Ckr.Ok || list == null)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotPkcs11, path,
                $"C_GetFunctionList of '{path}' answered {Ckr.Name(rv)}{(list == null ? " without a function list" : "")}.");
        }

        if (list->version.major < 2)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotPkcs11, path,
                $"'{path}' implements PKCS#11 {list->version.major}.{list->version.minor}; version 2.20 or later is needed.");
        }

        var missing = new List<string>();
        void Need(void* fn, string name)
        {
            if (fn == null)
            {
                missing.Add(name);
            }
        }

        Need(list->C_Initialize, "C_Initialize");
        Need(list->C_Finalize, "C_Finalize");
        Need(list->C_GetInfo, "C_GetInfo");
        Need(list->C_GetSlotList, "C_GetSlotList");
        Need(list->C_GetTokenInfo, "C_GetTokenInfo");
        Need(list->C_OpenSession, "C_OpenSession");
        Need(list->C_CloseSession, "C_CloseSession");
        Need(list->C_Login, "C_Login");
        Need(list->C_FindObjectsInit, "C_FindObjectsInit");
        Need(list->C_FindObjects, "C_FindObjects");
        Need(list->C_FindObjectsFinal, "C_FindObjectsFinal");
        Need(list->C_GetAttributeValue, "C_GetAttributeValue");
        Need(list->C_EncryptInit, "C_EncryptInit");
        Need(list->C_Encrypt, "C_Encrypt");
        Need(list->C_DecryptInit, "C_DecryptInit");
        Need(list->C_Decrypt, "C_Decrypt");
        Need(list->C_GetSessionInfo, "C_GetSessionInfo");
        Need(list->C_GetSlotInfo, "C_GetSlotInfo");
        Need(list->C_GetMechanismList, "C_GetMechanismList");
        Need(list->C_GetMechanismInfo, "C_GetMechanismInfo");
        Need(list->C_CloseAllSessions, "C_CloseAllSessions");
        Need(list->C_Logout, "C_Logout");
        Need(list->C_GenerateKey, "C_GenerateKey");
        Need(list->C_DestroyObject, "C_DestroyObject");
        Need(list->C_GenerateRandom, "C_GenerateRandom");
        if (missing.Count > 0)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotPkcs11, path,
                $"The PKCS#11 module '{path}' does not provide {string.Join(", ", missing)}.");
        }

        return list;
    }

    private static Version ToVersion(CkVersion v) => new(v.major, v.minor);

    private static long? Count(nuint value) => value == Ck.UnavailableInformation ? null : (long)value;

    private static string Text(byte* field, int length) =>
        Encoding.UTF8.GetString(new ReadOnlySpan<byte>(field, length)).TrimEnd(' ', '\0');

    private string? GetLabel(nuint session, int generation, nuint obj)
    {
        var attribute = new CkAttribute { type = Ck.CkaLabel };
        nuint rv;
        using (EnterSession("C_GetAttributeValue", generation))
        {
            rv = _functions->C_GetAttributeValue(session, obj, &attribute, 1);
        }

        if (rv != Ckr.Ok || attribute.ulValueLen == Ck.UnavailableInformation || attribute.ulValueLen > 4096)
        {
            return null;
        }

        var buffer = new byte[(int)attribute.ulValueLen];
        fixed (byte* p = buffer)
        {
            attribute.pValue = (nint)p;
            using (EnterSession("C_GetAttributeValue", generation))
            {
                rv = _functions->C_GetAttributeValue(session, obj, &attribute, 1);
            }
        }

        return rv == Ckr.Ok ? Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(attribute.ulValueLen, (nuint)buffer.Length)) : null;
    }

    private void Initialize(string path)
    {
        var args = new CkInitializeArgs { flags = Ck.CkfOsLockingOk };
        _lock.EnterWriteLock();
        try
        {
            var rv = _functions->C_Initialize(&args);
            if (rv is not (Ckr.Ok or Ckr.CryptokiAlreadyInitialized))
            {
                throw new Pkcs11ModuleException(Pkcs11LoadFailure.InitializeFailed, path,
                    $"C_Initialize of '{path}' answered {Ckr.Name(rv)} (0x{rv:X}). For Luna, check the client configuration "
                    + "(Chrystoki.conf) and that the client certificate is registered on the appliance.");
            }

            // Someone else in this process initialized it first: they own C_Finalize, so we never call it.
            _ownsInitialization = rv == Ckr.Ok;
            _initialized = true;
            _generation++;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void FinalizeModule()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_initialized && _ownsInitialization)
            {
                _ = _functions->C_Finalize(0);
            }

            _initialized = false;
            _generation++;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Takes the read lock for a module-level call; throws when the module is not initialized.</summary>
    private ReadScope EnterModule(string function)
    {
        _lock.EnterReadLock();
        if (!_initialized)
        {
            _lock.ExitReadLock();
            throw new Pkcs11Exception(function, Ckr.CryptokiNotInitialized, "the module was finalized");
        }

        return new ReadScope(_lock);
    }

    /// <summary>Takes the read lock for a session call; refuses a dead session before it reaches the module.</summary>
    private ReadScope EnterSession(string function, int generation)
    {
        _lock.EnterReadLock();
        try
        {
            CheckSession(function, generation);
        }
        catch
        {
            _lock.ExitReadLock();
            throw;
        }

        return new ReadScope(_lock);
    }

    /// <summary>Refuses a handle from an earlier generation before it reaches the module (call under the read lock).</summary>
    private void CheckSession(string function, int generation)
    {
        if (!_initialized)
        {
            throw new Pkcs11Exception(function, Ckr.CryptokiNotInitialized, "the module was finalized");
        }

        if (generation != _generation)
        {
            throw new Pkcs11Exception(function, Ckr.SessionHandleInvalid, "the session belongs to an earlier initialization of the module");
        }
    }

    private sealed class CallInFlight(ReaderWriterLockSlim held) : IDisposable
    {
        public void Dispose() => held.ExitReadLock();
    }

    private readonly ref struct ReadScope(ReaderWriterLockSlim held)
    {
        public void Dispose() => held.ExitReadLock();
    }
}

using System.Runtime.InteropServices;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11ModuleTests(SoftHsm hsm)
{
    [Fact]
    public async Task FinalizeAtExit_WhileACallIsInFlight_GivesUpAndLeavesTheModuleWorking()
    {
        hsm.Require();
        var library = hsm.Module.Library;
        var generation = hsm.Module.Generation;
        using var holding = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var caller = Task.Factory.StartNew(() =>
        {
            using (library.SimulateCallInFlight())
            {
                holding.Release();
                release.Wait();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(await holding.WaitAsync(TimeSpan.FromSeconds(30)));

        var finalized = await Task.Run(() => library.FinalizeAtExit(TimeSpan.FromMilliseconds(200))).WaitAsync(TimeSpan.FromSeconds(30));

        release.Release();
        await caller.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(finalized);
        Assert.Equal(generation, hsm.Module.Generation);
        Assert.Contains("SoftHSM", hsm.Module.GetInfo().ManufacturerId, StringComparison.Ordinal);

        // Nothing in flight: it finalizes (then the fixture's module is brought back for the other tests).
        Assert.True(library.FinalizeAtExit(TimeSpan.FromSeconds(30)));
        Assert.Throws<Pkcs11Exception>(() => hsm.Module.GetInfo());
        hsm.Module.Reinitialize(hsm.Module.Generation);
        Assert.Contains("SoftHSM", hsm.Module.GetInfo().ManufacturerId, StringComparison.Ordinal);
    }

    [Fact]
    public void Reinitialize_ModuleInitializedBySomeoneElse_ReportsNoRecoveryAndChangesNothing()
    {
        hsm.Require();

        // A private copy of SoftHSM (its own instance in this process), initialized by "another component" first.
        var copy = Path.Combine(hsm.Directory, "foreign-libsofthsm2.so");
        File.Copy(SoftHsm.ModulePath, copy, overwrite: true);
        var handle = NativeLibrary.Load(copy);
        var getList = Marshal.GetDelegateForFunctionPointer<GetFunctionList>(NativeLibrary.GetExport(handle, "C_GetFunctionList"));
        Assert.Equal(0u, (uint)getList(out var list));
        var initialize = Marshal.GetDelegateForFunctionPointer<Initialize>(Marshal.ReadIntPtr(list, IntPtr.Size));
        Assert.Equal(0u, (uint)initialize(IntPtr.Zero));

        using var module = Pkcs11Module.Load(copy);
        var generation = module.Generation;
        Assert.NotEmpty(module.GetSlotList(tokenPresent: true));

        Assert.False(module.Reinitialize(generation));
        Assert.Equal(generation, module.Generation);
        Assert.NotEmpty(module.GetSlotList(tokenPresent: true));
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint GetFunctionList(out IntPtr list);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nuint Initialize(IntPtr args);

    [Fact]
    public void Load_SamePathTwice_SharesOneInitializedModule()
    {
        hsm.Require();
        var generation = hsm.Module.Generation;
        using (var second = Pkcs11Module.Load(SoftHsm.ModulePath))
        {
            Assert.Equal(generation, second.Generation);
            Assert.Equal("SoftHSM", second.GetInfo().ManufacturerId);
        }

        // The fixture's lease keeps it initialized: no C_Finalize when the second lease goes.
        Assert.Equal(generation, hsm.Module.Generation);
        Assert.NotEmpty(hsm.Module.GetSlotList(tokenPresent: true));
    }

    [Fact]
    public void GetInfo_SoftHsm_ReportsManufacturerAndVersion()
    {
        hsm.Require();
        var info = hsm.Module.GetInfo();
        Assert.Equal("SoftHSM", info.ManufacturerId);
        Assert.Equal(2, info.CryptokiVersion.Major);
        Assert.True(info.LibraryVersion.Major >= 2, info.LibraryVersion.ToString());
    }

    [Fact]
    public void FindTokens_ByLabel_FindsTheTokenAndItsSlotIsNotZero()
    {
        hsm.Require();
        var token = Assert.Single(hsm.Module.FindTokens(SoftHsm.MainToken));
        Assert.Equal(SoftHsm.MainToken, token.Label);
        Assert.Equal("SoftHSM project", token.ManufacturerId);
        Assert.NotEqual(0u, token.SlotId);
        Assert.True(token.UserPinInitialized);
        Assert.True(hsm.Module.GetSlotInfo(token.SlotId).TokenPresent);
        Assert.Empty(hsm.Module.FindTokens("no-such-partition"));
    }

    [Fact]
    public void MechanismInfo_AesGcm_SupportsEncryptDecryptWith256BitKeys()
    {
        hsm.Require();
        var slot = hsm.Slot(SoftHsm.MainToken);
        Assert.Contains(Ck.CkmAesGcm, hsm.Module.GetMechanismList(slot));
        var gcm = hsm.Module.GetMechanismInfo(slot, Ck.CkmAesGcm);
        Assert.True(gcm.CanEncrypt && gcm.CanDecrypt);
        Assert.InRange(32u, gcm.MinKeySize, gcm.MaxKeySize);
    }

    [Fact]
    public void GetTokenInfo_InvalidSlot_IsATypedErrorNotACrash()
    {
        hsm.Require();
        var ex = Assert.Throws<Pkcs11Exception>(() => hsm.Module.GetTokenInfo(0xDEAD_BEEF));
        Assert.Equal(Ckr.SlotIdInvalid, ex.Code);
        Assert.Contains("CKR_SLOT_ID_INVALID", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found out here: SoftHSM reads its token directory at C_Initialize and does not see a token created by
    /// softhsm2-util while it is initialized; it appears after C_Finalize + C_Initialize. Hence the fixture creates
    /// every token before it loads the module.
    /// </summary>
    [Fact]
    public void TokenCreatedAfterInitialize_IsSeenOnlyAfterReinitialize()
    {
        hsm.Require();
        var label = "late-" + Guid.NewGuid().ToString("N")[..8];
        hsm.InitToken(label);
        var seenBefore = hsm.Module.FindTokens(label).Length;
        hsm.Module.Reinitialize(hsm.Module.Generation);
        var seenAfter = hsm.Module.FindTokens(label).Length;
        Assert.Equal((0, 1), (seenBefore, seenAfter));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

/// <summary>
/// The Linux x64 layouts against the values derived from pkcs11t.h with CK_ULONG = 8 bytes and natural alignment
/// (a wrong size here would make the module read or write past our buffers).
/// </summary>
public sealed class Pkcs11LayoutTests
{
    [Theory]
    [InlineData(typeof(CkVersion), 2)]
    [InlineData(typeof(CkAttribute), 24)]
    [InlineData(typeof(CkMechanism), 24)]
    [InlineData(typeof(CkGcmParams), 48)]
    [InlineData(typeof(CkInfo), 88)]
    [InlineData(typeof(CkSlotInfo), 112)]
    [InlineData(typeof(CkTokenInfo), 208)]
    [InlineData(typeof(CkMechanismInfo), 24)]
    [InlineData(typeof(CkSessionInfo), 32)]
    [InlineData(typeof(CkInitializeArgs), 48)]
    public void Struct_OnLinuxX64_HasTheHeaderSize(Type type, int size)
    {
        Assert.Equal(size, Marshal.SizeOf(type));
        var unmanaged = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
        Assert.Equal(size, unmanaged);
    }

    [Theory]
    [InlineData(typeof(CkAttribute), nameof(CkAttribute.type), 0)]
    [InlineData(typeof(CkAttribute), nameof(CkAttribute.pValue), 8)]
    [InlineData(typeof(CkAttribute), nameof(CkAttribute.ulValueLen), 16)]
    [InlineData(typeof(CkMechanism), nameof(CkMechanism.pParameter), 8)]
    [InlineData(typeof(CkMechanism), nameof(CkMechanism.ulParameterLen), 16)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.pIv), 0)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.ulIvLen), 8)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.ulIvBits), 16)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.pAAD), 24)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.ulAADLen), 32)]
    [InlineData(typeof(CkGcmParams), nameof(CkGcmParams.ulTagBits), 40)]
    [InlineData(typeof(CkInfo), "manufacturerID", 2)]
    [InlineData(typeof(CkInfo), nameof(CkInfo.flags), 40)]
    [InlineData(typeof(CkInfo), "libraryDescription", 48)]
    [InlineData(typeof(CkInfo), nameof(CkInfo.libraryVersion), 80)]
    [InlineData(typeof(CkSlotInfo), "manufacturerID", 64)]
    [InlineData(typeof(CkSlotInfo), nameof(CkSlotInfo.flags), 96)]
    [InlineData(typeof(CkSlotInfo), nameof(CkSlotInfo.hardwareVersion), 104)]
    [InlineData(typeof(CkSlotInfo), nameof(CkSlotInfo.firmwareVersion), 106)]
    [InlineData(typeof(CkTokenInfo), "manufacturerID", 32)]
    [InlineData(typeof(CkTokenInfo), "model", 64)]
    [InlineData(typeof(CkTokenInfo), "serialNumber", 80)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.flags), 96)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.ulSessionCount), 112)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.ulMinPinLen), 144)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.ulFreePrivateMemory), 176)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.hardwareVersion), 184)]
    [InlineData(typeof(CkTokenInfo), nameof(CkTokenInfo.firmwareVersion), 186)]
    [InlineData(typeof(CkTokenInfo), "utcTime", 188)]
    [InlineData(typeof(CkMechanismInfo), nameof(CkMechanismInfo.flags), 16)]
    [InlineData(typeof(CkSessionInfo), nameof(CkSessionInfo.ulDeviceError), 24)]
    [InlineData(typeof(CkInitializeArgs), nameof(CkInitializeArgs.flags), 32)]
    [InlineData(typeof(CkInitializeArgs), nameof(CkInitializeArgs.pReserved), 40)]
    public void Field_OnLinuxX64_IsAtTheHeaderOffset(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void FunctionList_IsAVersionPaddedTo8ThenTheFunctionPointersInHeaderOrder()
    {
        Assert.Equal(8 + (CkFunctionList.FunctionCount * 8), Unsafe.SizeOf<CkFunctionList>());
        var fields = typeof(CkFunctionList).GetFields().Where(f => !f.IsLiteral).Select(f => f.Name).ToList();
        Assert.Equal(CkFunctionList.FunctionCount + 1, fields.Count);
        Assert.Equal("version", fields[0]);
        Assert.Equal("C_Initialize", fields[1]);
        Assert.Equal("C_Login", fields[19]);
        Assert.Equal("C_FindObjectsInit", fields[27]);
        Assert.Equal("C_Encrypt", fields[31]);
        Assert.Equal("C_Decrypt", fields[35]);
        Assert.Equal("C_GenerateKey", fields[59]);
        Assert.Equal("C_GenerateRandom", fields[65]);
        Assert.Equal("C_WaitForSlotEvent", fields[68]);
    }

    [Theory]
    [InlineData(0xA0u, "CKR_PIN_INCORRECT")]
    [InlineData(0x5u, "CKR_GENERAL_ERROR")]
    [InlineData(0xB3u, "CKR_SESSION_HANDLE_INVALID")]
    [InlineData(0x191u, "CKR_CRYPTOKI_ALREADY_INITIALIZED")]
    [InlineData(0x80000005u, "CKR_VENDOR_DEFINED+0x5")]
    [InlineData(0x4u, "CKR_0x4")]
    public void CkrName_NamesTheCode(uint code, string name) => Assert.Equal(name, Ckr.Name(code));

    [Fact]
    public void Pkcs11Exception_Message_NamesFunctionAndCode()
    {
        var ex = new Pkcs11Exception("C_Login", Ckr.PinIncorrect);
        Assert.Equal("C_Login: CKR_PIN_INCORRECT (0xA0)", ex.Message);
        Assert.True(ex.IsPinFailure);
        Assert.False(ex.IsModuleFailure);
    }
}

using System.Security.Cryptography;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11SessionTests(SoftHsm hsm)
{
    [Fact]
    public void AesGcm_RoundTrip_WithCallerIvAndAad_GivesThePlaintextBack()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        var key = Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2));
        var iv = new byte[Ck.GcmIvLength];
        session.GenerateRandom(iv);
        var plaintext = RandomNumberGenerator.GetBytes(32);
        var aad = "tenant-a/l2"u8.ToArray();

        var sealedBytes = session.EncryptAesGcm(key, iv, aad, plaintext);
        Assert.Equal(plaintext.Length + Ck.GcmTagLength, sealedBytes.Length);
        Assert.Equal(plaintext, session.DecryptAesGcm(key, iv, aad, sealedBytes));
    }

    [Fact]
    public void AesGcm_ChangedAad_IsATagFailureAndTheSessionStaysUsable()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        var key = Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2));
        var iv = RandomNumberGenerator.GetBytes(Ck.GcmIvLength);
        var sealedBytes = session.EncryptAesGcm(key, iv, "a"u8, "secret"u8);

        var ex = Assert.Throws<Pkcs11Exception>(() => session.DecryptAesGcm(key, iv, "b"u8, sealedBytes));
        Assert.True(ex.IsAuthenticationTagFailure, ex.Message);
        Assert.False(ex.IsModuleFailure);
        Assert.Equal("secret"u8.ToArray(), session.DecryptAesGcm(key, iv, "a"u8, sealedBytes));
    }

    [Fact]
    public void AesGcm_WrongIvLength_IsRefusedBeforeTheNativeCall()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        var key = Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2));
        Assert.Throws<ArgumentException>(() => session.EncryptAesGcm(key, new byte[8], default, "x"u8));
        Assert.Throws<ArgumentException>(() => session.DecryptAesGcm(key, new byte[12], default, new byte[5]));
        Assert.Throws<ArgumentException>(() => session.EncryptAesGcm(key, new byte[12], default, "xy"u8, new byte[17]));
    }

    [Fact]
    public void GetKeyAttributes_L1Key_IsSensitiveNonExtractableAes256()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        var attributes = session.GetKeyAttributes(Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2)));
        Assert.Equal((Ck.CkoSecretKey, Ck.CkkAes, 32L, SoftHsm.L1Key), (attributes.Class, attributes.KeyType, attributes.ValueLength, attributes.Label));
        Assert.Equal((true, false, true, true), (attributes.Sensitive, attributes.Extractable, attributes.AlwaysSensitive, attributes.NeverExtractable));
        Assert.Equal((true, true, true), (attributes.Encrypt, attributes.Decrypt, attributes.Token));
    }

    [Fact]
    public void FindObjects_TwiceInARow_EachSearchIsFinalized()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        Assert.Equal(2, session.FindSecretKeys(SoftHsm.DuplicateKey, 10).Length);

        // Without C_FindObjectsFinal the second search would fail with CKR_OPERATION_ACTIVE.
        Assert.Single(session.FindSecretKeys(SoftHsm.ExtractableKey, 10));
        Assert.Empty(session.FindSecretKeys("absent", 10));
    }

    [Fact]
    public void GenerateKey_ThenDestroy_KeyIsGone()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.ScratchToken);
        var label = "tmp-" + Guid.NewGuid().ToString("N")[..8];
        var key = SoftHsm.GenerateAes(session, label, 32);
        Assert.Single(session.FindSecretKeys(label, 2));
        session.DestroyObject(key);
        Assert.Empty(session.FindSecretKeys(label, 2));
    }

    [Fact]
    public void Login_WrongPin_IsPinIncorrect_AndTheMessageHoldsNoPin()
    {
        hsm.Require();
        using var session = hsm.Module.OpenSession(hsm.Slot(SoftHsm.PinToken));
        var ex = Assert.Throws<Pkcs11Exception>(() => session.Login("not-the-pin-777"u8));
        Assert.Equal(Ckr.PinIncorrect, ex.Code);
        Assert.True(ex.IsPinFailure);
        Assert.DoesNotContain("777", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_Twice_SecondAnswersAlreadyLoggedIn()
    {
        hsm.Require();
        using (var first = hsm.OpenUserSession(SoftHsm.ScratchToken))
        using (var second = hsm.Module.OpenSession(hsm.Slot(SoftHsm.ScratchToken)))
        {
            Assert.False(second.Login(SoftHsm.PinBytes));
            Assert.True(second.GetInfo().UserLoggedIn);
        }

        // Both closed: the login ended with the last session, which is how NoSessionsOpen tells.
        Assert.True(hsm.NoSessionsOpen(SoftHsm.ScratchToken));
    }

    [Fact]
    public void Logout_AfterLogin_HidesThePrivateL1KeyAgain()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.MainToken);
        Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2));
        session.Logout();
        Assert.False(session.GetInfo().UserLoggedIn);
        Assert.Empty(session.FindSecretKeys(SoftHsm.L1Key, 2));
    }

    [Fact]
    public void Session_ClosedUnderneath_IsATypedErrorAndDisposeIsSafe()
    {
        hsm.Require();
        var slot = hsm.Slot(SoftHsm.ScratchToken);
        var session = hsm.OpenUserSession(SoftHsm.ScratchToken);
        hsm.Module.CloseAllSessions(slot);
        var ex = Assert.Throws<Pkcs11Exception>(() => session.GetInfo());
        Assert.True(ex.IsSessionLost, ex.Message);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.GetInfo());
        Assert.True(hsm.NoSessionsOpen(SoftHsm.ScratchToken));
    }

    [Fact]
    public void Session_AfterReinitialize_IsRefusedWithoutReachingTheModule()
    {
        hsm.Require();
        using var session = hsm.OpenUserSession(SoftHsm.ScratchToken);
        hsm.Module.Reinitialize(session.Generation);
        Assert.False(session.IsAlive);
        var ex = Assert.Throws<Pkcs11Exception>(() => session.GenerateRandom(new byte[4]));
        Assert.Equal(Ckr.SessionHandleInvalid, ex.Code);
    }
}

using System.Security.Cryptography;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.Tests.Pkcs11;

[Collection(SoftHsmCollection.Name)]
public sealed class Pkcs11SessionPoolTests(SoftHsm hsm)
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pool_ParallelRoundTrips_BoundedSessionsOneLoginNoLeaks()
    {
        hsm.Require();
        var loginsBefore = hsm.Module.LoginCalls;
        var opensBefore = hsm.Module.OpenSessionCalls;
        var closesBefore = hsm.Module.CloseSessionCalls;
        var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 4);
        var key = await pool.RunAsync(s => Assert.Single(s.FindSecretKeys(SoftHsm.L1Key, 2)), CancellationToken.None);
        var maxOpen = 0;

        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var value = RandomNumberGenerator.GetBytes(32);
                var aad = BitConverter.GetBytes((t * 1000) + i);
                var back = await pool.RunAsync(s =>
                {
                    var iv = new byte[Ck.GcmIvLength];
                    s.GenerateRandom(iv);
                    var sealedBytes = s.EncryptAesGcm(key, iv, aad, value);
                    return s.DecryptAesGcm(key, iv, aad, sealedBytes);
                }, CancellationToken.None);
                Assert.Equal(value, back);
                InterlockedMax(ref maxOpen, pool.OpenSessions);
            }
        }));
        await Task.WhenAll(tasks).WaitAsync(s_guard);

        Assert.InRange(maxOpen, 1, 4);
        Assert.Equal(pool.OpenSessions, pool.IdleSessions);
        Assert.Equal(1, hsm.Module.LoginCalls - loginsBefore);
        pool.Dispose();

        Assert.Equal(0, pool.OpenSessions);
        Assert.Equal(hsm.Module.OpenSessionCalls - opensBefore, hsm.Module.CloseSessionCalls - closesBefore);
        Assert.True(hsm.NoSessionsOpen(SoftHsm.PoolToken));
    }

    [Fact]
    public async Task Pool_SessionsClosedUnderneath_ReopensLogsInAgainAndSucceeds()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2);
        await pool.RunAsync(s => s.FindSecretKeys(SoftHsm.L1Key, 2), CancellationToken.None);
        var loginsBefore = hsm.Module.LoginCalls;

        hsm.Module.CloseAllSessions(hsm.Slot(SoftHsm.PoolToken));

        var found = await pool.RunAsync(s => s.FindSecretKeys(SoftHsm.L1Key, 2), CancellationToken.None);
        Assert.Single(found);
        Assert.Equal(1, pool.Recoveries);
        Assert.Equal(1, hsm.Module.LoginCalls - loginsBefore);
        Assert.Equal(1, pool.OpenSessions);
    }

    [Fact]
    public async Task Pool_WrongPin_IsNeverRetried()
    {
        hsm.Require();
        var loginsBefore = hsm.Module.LoginCalls;
        using (var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PinToken, "wrong-pin-1"u8, maxSessions: 2))
        {
            for (var i = 0; i < 3; i++)
            {
                var ex = await Assert.ThrowsAsync<Pkcs11Exception>(() => pool.RunAsync(s => s.GetInfo(), CancellationToken.None));
                Assert.Equal(Ckr.PinIncorrect, ex.Code);
            }
        }

        Assert.Equal(1, hsm.Module.LoginCalls - loginsBefore);
        Assert.True(hsm.NoSessionsOpen(SoftHsm.PinToken));
    }

    [Fact]
    public async Task Pool_EmptyPlaintext_RoundTripsAndLeavesEverySessionUsable()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2);
        var key = await pool.RunAsync(s => Assert.Single(s.FindSecretKeys(SoftHsm.L1Key, 2)), CancellationToken.None);

        var (iv, sealedBytes) = await pool.RunAsync(s =>
        {
            var iv = new byte[Ck.GcmIvLength];
            s.GenerateRandom(iv);
            return (iv, s.EncryptAesGcm(key, iv, "empty"u8, ReadOnlySpan<byte>.Empty));
        }, CancellationToken.None);
        Assert.Equal(Ck.GcmTagLength, sealedBytes.Length);
        Assert.Empty(await pool.RunAsync(s => s.DecryptAesGcm(key, iv, "empty"u8, sealedBytes), CancellationToken.None));

        for (var i = 0; i < 2 * pool.MaxSessions; i++)
        {
            var value = RandomNumberGenerator.GetBytes(32);
            var back = await pool.RunAsync(s =>
            {
                var iv = new byte[Ck.GcmIvLength];
                s.GenerateRandom(iv);
                return s.DecryptAesGcm(key, iv, "x"u8, s.EncryptAesGcm(key, iv, "x"u8, value));
            }, CancellationToken.None);
            Assert.Equal(value, back);
        }
    }

    [Fact]
    public async Task Pool_TokenRefusesAnOperation_TheSessionIsClosedNotReused()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2);
        var key = await pool.RunAsync(s => Assert.Single(s.FindSecretKeys(SoftHsm.L1Key, 2)), CancellationToken.None);
        Assert.Equal(1, pool.OpenSessions);
        var closesBefore = hsm.Module.CloseSessionCalls;

        var ex = await Assert.ThrowsAsync<Pkcs11Exception>(() => pool.RunAsync(
            s => s.EncryptAesGcm(key + 100_000, new byte[Ck.GcmIvLength], "x"u8, new byte[32]), CancellationToken.None));
        Assert.False(ex.IsSessionLost || ex.IsModuleFailure, ex.Message);

        Assert.Equal(0, pool.OpenSessions);
        Assert.Equal(1, hsm.Module.CloseSessionCalls - closesBefore);
        Assert.Single(await pool.RunAsync(s => s.FindSecretKeys(SoftHsm.L1Key, 2), CancellationToken.None));
    }

    [Fact]
    public async Task Pool_ModuleReinitializedUnderneath_RecoversOnNextOperation()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2);
        await pool.RunAsync(s => s.FindSecretKeys(SoftHsm.L1Key, 2), CancellationToken.None);
        hsm.Module.Reinitialize(hsm.Module.Generation);

        var found = await pool.RunAsync(s => s.FindSecretKeys(SoftHsm.L1Key, 2), CancellationToken.None);
        Assert.Single(found);
        Assert.Equal(1, pool.OpenSessions);
    }

    [Fact]
    public async Task Pool_TagFailure_DoesNotReinitializeTheModule()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2);
        var generation = hsm.Module.Generation;
        var ex = await Assert.ThrowsAsync<Pkcs11Exception>(() => pool.RunAsync(s =>
        {
            var key = s.FindSecretKeys(SoftHsm.L1Key, 2)[0];
            var iv = RandomNumberGenerator.GetBytes(Ck.GcmIvLength);
            var sealedBytes = s.EncryptAesGcm(key, iv, "right"u8, "value"u8);
            return s.DecryptAesGcm(key, iv, "wrong"u8, sealedBytes);
        }, CancellationToken.None));

        Assert.True(ex.IsAuthenticationTagFailure);
        Assert.Equal(generation, hsm.Module.Generation);
        Assert.Equal(0, pool.Reinitializations);
        Assert.Equal(1, pool.IdleSessions);
    }

    /// <summary>
    /// SoftHSM cannot be made to fail with CKR_DEVICE_ERROR, so the operation reports one itself on its first run; the
    /// pool's reaction (real C_Finalize + C_Initialize of SoftHSM, new session, new login, retry) is what is tested.
    /// </summary>
    [Fact]
    public async Task Pool_DeviceError_ReinitializesTheModuleOnceRetriesAndDoesNotRepeatWithinTheInterval()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 2)
        {
            MinimumReinitializationInterval = TimeSpan.FromHours(1),
        };
        var generation = hsm.Module.Generation;
        var calls = 0;
        var found = await pool.RunAsync(s =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new Pkcs11Exception("C_Encrypt", Ckr.DeviceError);
            }

            return s.FindSecretKeys(SoftHsm.L1Key, 2);
        }, CancellationToken.None);

        Assert.Single(found);
        Assert.Equal(2, calls);
        Assert.Equal(1, pool.Reinitializations);
        Assert.NotEqual(generation, hsm.Module.Generation);

        var ex = await Assert.ThrowsAsync<Pkcs11Exception>(() => pool.RunAsync<int>(
            _ => throw new Pkcs11Exception("C_Encrypt", Ckr.DeviceError), CancellationToken.None));
        Assert.Equal(Ckr.DeviceError, ex.Code);
        Assert.Equal(1, pool.Reinitializations);
    }

    [Fact]
    public async Task Pool_NoTokenWithTheLabel_IsATypedError()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, "no-such-token", SoftHsm.PinBytes, maxSessions: 1);
        var ex = await Assert.ThrowsAsync<Pkcs11Exception>(() => pool.RunAsync(s => s.GetInfo(), CancellationToken.None));
        Assert.Equal(Ckr.TokenNotPresent, ex.Code);
        Assert.Equal(0, pool.OpenSessions);
    }

    [Fact]
    public async Task Pool_Exhausted_WaitersCanBeCancelled()
    {
        hsm.Require();
        using var pool = new Pkcs11SessionPool(hsm.Module, SoftHsm.PoolToken, SoftHsm.PinBytes, maxSessions: 1);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => pool.RunAsync(s =>
        {
            holding.Set();
            release.Wait(s_guard);
            return 0;
        }, CancellationToken.None));
        Assert.True(holding.Wait(s_guard));
        using var cancel = new CancellationTokenSource();
        var waiter = pool.RunAsync(s => 1, cancel.Token);
        Assert.False(waiter.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        release.Set();
        await holder.WaitAsync(s_guard);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

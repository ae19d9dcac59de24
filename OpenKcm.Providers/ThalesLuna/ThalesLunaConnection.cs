using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// A logged-in connection to one Luna partition: wrap = AES-256-GCM encryption under the L1 key with a fresh 96-bit IV
/// from the HSM's generator, unwrap = decryption, both through the <see cref="Pkcs11SessionPool"/>. Thread-safe. The owner
/// disposes it; that closes the pool's sessions and drops the module lease (C_Finalize when it was the last).
/// </summary>
internal sealed class ThalesLunaConnection : IKeystoreConnection
{
    private static readonly byte[] s_probeAssociatedData = "openkcm-health-probe"u8.ToArray();

    private readonly Pkcs11Module _module;
    private readonly Pkcs11SessionPool _pool;
    private readonly ThalesLunaConfiguration _configuration;
    private readonly ThalesLunaOptions _options;
    private readonly TimeProvider _time;
    private KeyHandle? _key;
    private int _disposed;

    public ThalesLunaConnection(Pkcs11Module module, Pkcs11SessionPool pool, ThalesLunaConfiguration configuration,
        ThalesLunaOptions options, TimeProvider time)
    {
        _module = module;
        _pool = pool;
        _configuration = configuration;
        _options = options;
        _time = time;
    }

    internal Pkcs11SessionPool Pool => _pool;

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken) =>
        RunAsync("Wrap", session =>
        {
            var key = Key(session);
            Span<byte> iv = stackalloc byte[Ck.GcmIvLength];
            session.GenerateRandom(iv);
            var output = new byte[LunaWrappedValue.Overhead + plaintext.Length];
            output[0] = LunaWrappedValue.Version1;
            iv.CopyTo(output.AsSpan(1));
            _ = session.EncryptAesGcm(key, iv, associatedData.Span, plaintext.Span, output.AsSpan(1 + Ck.GcmIvLength));
            return output;
        }, cancellationToken);

    public async Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken)
    {
        if (!LunaWrappedValue.TrySplit(wrapped.Span, out _, out _))
        {
            // E.g. a value wrapped by another keystore reaching this one after a failover: no key here can open it.
            throw new KeystoreException(KeystoreErrorKind.KeyNotFound,
                "The wrapped value is not a Thales Luna wrapped key (version 1, IV, ciphertext, tag): it was wrapped by another "
                + "keystore or is damaged.");
        }

        return await RunAsync("Unwrap", session =>
        {
            LunaWrappedValue.TrySplit(wrapped.Span, out var iv, out var sealedBytes);
            return session.DecryptAesGcm(Key(session), iv, associatedData.Span, sealedBytes);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var value = RandomNumberGenerator.GetBytes(16);
        var wrapped = await WrapAsync(value, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        var back = await UnwrapAsync(wrapped, s_probeAssociatedData, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"The HSM decrypted the probe value with key '{_configuration.KeyLabel}' to something else than was encrypted.");
        }
    }

    public async Task<JsonObject> DescribeAsync(CancellationToken cancellationToken)
    {
        var statuses = await ApplianceProbe.ProbeAllAsync(_configuration.Appliances, _configuration.NtlsPort, _options.ConnectTimeout,
            _time, cancellationToken).ConfigureAwait(false);
        var roles = ApplianceStatus.Roles(statuses);
        var (loggedIn, token) = await RunAsync("Describe", session =>
            (session.GetInfo().UserLoggedIn, _module.GetTokenInfo(session.SlotId)), cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        var latency = _time.GetElapsedTime(started);
        var info = _module.GetInfo();

        var result = new JsonObject
        {
            ["plugin_status"] = "active",
            ["hsm_appliances"] = new JsonArray([.. statuses.Select((s, i) => (JsonNode)$"{s.Address}:{roles[i]}")]),
            ["partition_status"] = loggedIn ? "authenticated" : "not_authenticated",
            ["partition"] = $"{token.Label} (slot {token.SlotId}, serial {token.SerialNumber}, model {token.Model}, firmware {token.FirmwareVersion})",
            ["pkcs11_library"] = $"{info.ManufacturerId} {info.LibraryDescription} {info.LibraryVersion}",
            ["key_label"] = _configuration.KeyLabel,
            ["latency_ms"] = Math.Round(latency.TotalMilliseconds, 1),
        };

        // The roles come from TCP reachability in the configured order; PKCS#11 does not say which member the Luna
        // client's HA group is using, so the note says what the words mean rather than claiming HA state.
        result["hsm_appliances_note"] = "online = the first appliance in the configured order whose NTLS port accepted a "
            + "connection, standby = the other reachable ones, offline = not reachable; this is reachability from the console, "
            + "not the HA group's own state (lunacm: hagroup listgroups shows which members are in use)";

        // PKCS#11's token info has no FIPS level field, and guessing one from the model name would be inventing it.
        result["fips_level_note"] = "not reported through PKCS#11 (CK_TOKEN_INFO has no FIPS field); the appliance shows its "
            + "validation with lunash: hsm show";
        return result;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pool.Dispose();
            _module.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The L1 key's handle, found once per module generation (handles do not survive C_Finalize).</summary>
    private nuint Key(Pkcs11Session session)
    {
        var cached = Volatile.Read(ref _key);
        if (cached is not null && cached.Generation == session.Generation)
        {
            return cached.Handle;
        }

        var found = session.FindSecretKeys(_configuration.KeyLabel, 2);
        if (found.Length != 1)
        {
            throw new KeystoreException(KeystoreErrorKind.KeyNotFound, found.Length == 0
                ? $"No secret key labelled '{_configuration.KeyLabel}' in partition '{_configuration.PartitionLabel}'."
                : $"Several secret keys are labelled '{_configuration.KeyLabel}' in partition '{_configuration.PartitionLabel}'.");
        }

        Volatile.Write(ref _key, new KeyHandle(session.Generation, found[0]));
        return found[0];
    }

    private async Task<T> RunAsync<T>(string operation, Func<Pkcs11Session, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await _pool.RunAsync(session =>
            {
                try
                {
                    return work(session);
                }
                catch (Pkcs11Exception ex) when (ex.Code is Ckr.KeyHandleInvalid or Ckr.ObjectHandleInvalid)
                {
                    // The key was replaced (same label, new handle): look it up again once.
                    Volatile.Write(ref _key, null);
                    return work(session);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Pkcs11Exception ex)
        {
            throw LunaErrors.From(ex, operation, _configuration.KeyLabel, _configuration.PartitionLabel);
        }
    }

    private sealed record KeyHandle(int Generation, nuint Handle);
}

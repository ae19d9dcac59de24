using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.Checks;
using OpenKcm.Providers.Pkcs11;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// One Test Connection run: the checks of <see cref="ThalesLunaPlugin.Checks"/> in order, each yielded as soon as it
/// finishes; after a failure the rest are skipped. PKCS#11 calls block, so each check runs on the thread pool and the
/// run can time out while one is stuck; the module lease and session are then released once that call returns.
/// The login is tried exactly once per run (a wrong PIN counts towards the partition's lock).
/// </summary>
internal sealed class ThalesLunaConnectionTest
{
    private readonly KeystoreSettings _settings;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;
    private readonly ThalesLunaOptions _options;
    private readonly ILogger _logger;

    private ThalesLunaConfiguration? _configuration;
    private Pkcs11Module? _module;
    private Pkcs11TokenInfo? _token;
    private Pkcs11Session? _session;
    private nuint _key;

    public ThalesLunaConnectionTest(KeystoreSettings settings, ISecretResolver secrets, TimeProvider time, ThalesLunaOptions options, ILogger logger)
    {
        _settings = settings;
        _secrets = secrets;
        _time = time;
        _options = options;
        _logger = logger;
    }

    private ThalesLunaConfiguration Configuration => _configuration!;

    public IAsyncEnumerable<CheckResult> RunAsync(CancellationToken cancellationToken) => new CheckSequence
    {
        Checks = ThalesLunaPlugin.Checks,
        RunCheckAsync = RunCheckAsync,
        Remedy = (_, _) => "Correct the configuration and test again.",
        Timeout = _options.TestConnectionTimeout,
        TimeoutDetail = $"Test Connection did not finish within {_options.TestConnectionTimeout.TotalSeconds:0} s.",
        TimeoutRemedy = "The HSM or the network is too slow or not answering: check the appliances (lunash: hsm show, ntls show) and "
            + "the link (vtl verify), then test again.",
        Release = Release,
        Time = _time,
        Logger = _logger,
    }.RunAsync(cancellationToken);

    private void Release()
    {
        _session?.Dispose();
        _module?.Dispose();
    }

    /// <summary>
    /// Runs one check; the blocking PKCS#11 ones on the thread pool, so the run can stop waiting for them. PKCS#11 errors
    /// become failed steps here, with Luna's wording and remedy.
    /// </summary>
    private async Task<CheckStep> RunCheckAsync(string id, CancellationToken token)
    {
        try
        {
            return await (id switch
            {
                ThalesLunaCheckIds.ClientCertificates => ClientCertificatesAsync(token),
                ThalesLunaCheckIds.NetworkConnectivity => NetworkAsync(token),
                ThalesLunaCheckIds.Pkcs11Interface => Task.Run(Pkcs11Interface, token),
                ThalesLunaCheckIds.Login => LoginAsync(token),
                ThalesLunaCheckIds.KeyAccess => Task.Run(KeyAccess, token),
                ThalesLunaCheckIds.EncryptDecrypt => Task.Run(EncryptDecrypt, token),
                ThalesLunaCheckIds.Latency => Task.Run(() => Latency(token), token),
                _ => throw new InvalidOperationException($"Unknown check '{id}'."),
            }).ConfigureAwait(false);
        }
        catch (Pkcs11Exception ex)
        {
            var error = LunaErrors.From(ex, CheckName(id), _configuration?.KeyLabel ?? "", _configuration?.PartitionLabel ?? "");
            return new CheckStep(CheckOutcome.Failed, error.Message, LunaErrors.Remedy(ex, _configuration?.PartitionLabel ?? ""), error.Kind);
        }
    }

    private static string CheckName(string id) => ThalesLunaPlugin.Checks.First(c => c.Id == id).Name;

    private async Task<CheckStep> ClientCertificatesAsync(CancellationToken cancellationToken)
    {
        _configuration = ThalesLunaConfiguration.Parse(_settings, _time.GetUtcNow());
        using var key = await _secrets.GetAsync(F.ClientPrivateKey, cancellationToken).ConfigureAwait(false);
        var certificatePem = Configuration.ClientCertificatePem;
        if (certificatePem is null && key is null)
        {
            return CheckStep.Pass("No client certificate entered here; the Luna client uses the one in its own configuration "
                + "(Chrystoki.conf). Enter it to have it checked against its key and the CA.");
        }

        if (certificatePem is null || key is null)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                certificatePem is null ? "A client private key is stored but no client certificate is entered."
                    : "A client certificate is entered but no client private key is stored.",
                "Enter both the client certificate and its private key (or neither).");
        }

        using var certificate = LunaCertificates.ParseOne(certificatePem, "client certificate", out var error)
            ?? throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration, error!);

        // The key is decoded only here, as characters, and never leaves this method.
        var chars = new char[key.Length];
        try
        {
            var count = System.Text.Encoding.UTF8.GetChars(key.RevealBytes(), chars);
            if (LunaCertificates.KeyMatchError(certificate, chars.AsSpan(0, count)) is { } mismatch)
            {
                return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration, mismatch,
                    "Store the private key that was created with this client certificate (vtl createCert writes both), or the "
                    + "certificate that belongs to the stored key.");
            }
        }
        finally
        {
            Array.Clear(chars);
        }

        var detail = $"Client certificate {certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():u}; the stored "
            + "private key belongs to it.";
        return Configuration.CaCertificatePem is null
            ? CheckStep.Warn(detail + " No CA certificate entered, so its issuer was not checked.",
                "Enter the CA certificate that issued the client and appliance certificates.")
            : CheckStep.Pass(detail + " Issued by the entered CA.");
    }

    private async Task<CheckStep> NetworkAsync(CancellationToken cancellationToken)
    {
        var port = Configuration.NtlsPort;
        var statuses = await ApplianceProbe.ProbeAllAsync(Configuration.Appliances, port, _options.ConnectTimeout, _time, cancellationToken)
            .ConfigureAwait(false);
        var roles = ApplianceStatus.Roles(statuses);
        var lines = statuses.Select((s, i) => ApplianceProbe.Describe(s, roles[i], port)).ToList();
        var offline = statuses.Where(s => !s.Reachable).Select(s => s.Address).ToList();
        if (offline.Count == statuses.Count)
        {
            return CheckStep.Fail(KeystoreErrorKind.Unreachable, "No appliance answers on the NTLS port: " + string.Join("; ", lines) + ".",
                $"Check that the appliances are up (lunash: ntls show), that NTLS listens on port {port}, and that firewalls let "
                + "this console reach them.");
        }

        if (offline.Count > 0)
        {
            return CheckStep.Warn(string.Join("; ", lines) + ".",
                $"{string.Join(", ", offline)} {(offline.Count == 1 ? "is" : "are")} offline: the HA group runs without "
                + "redundancy. Bring it back (lunash: hsm show, ntls show) or remove it from the list.");
        }

        return CheckStep.Pass(string.Join("; ", lines) + ".");
    }

    private CheckStep Pkcs11Interface()
    {
        if (_options.LibraryNotAllowed(Configuration.LibraryPath) is { } notAllowed)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration, notAllowed + " It was not loaded.",
                ThalesLunaOptions.LibraryNotAllowedRemedy);
        }

        try
        {
            _module = Pkcs11Module.Load(Configuration.LibraryPath);
        }
        catch (Pkcs11ModuleException ex)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration, ex.Message,
                ex.Failure is Pkcs11LoadFailure.InitializeFailed
                    ? "Check the Luna client configuration (Chrystoki.conf, vtl verify) and test again."
                    : $"Install the Luna Universal Client and point the library path at its PKCS#11 library ({F.DefaultLibraryPath}).");
        }

        var info = _module.GetInfo();
        var module = $"{info.ManufacturerId} {info.LibraryDescription} {info.LibraryVersion} (PKCS#11 {info.CryptokiVersion})";
        var tokens = _module.FindTokens(Configuration.PartitionLabel);
        if (tokens.Length == 0)
        {
            var seen = _module.GetSlotList(tokenPresent: true).Select(s =>
            {
                try
                {
                    return _module.GetTokenInfo(s).Label;
                }
                catch (Pkcs11Exception)
                {
                    return null;
                }
            }).Where(l => !string.IsNullOrEmpty(l)).ToList();
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"{module} loaded, but no partition is labelled '{Configuration.PartitionLabel}'. "
                + (seen.Count == 0 ? "The client sees no partition at all." : $"The client sees: {string.Join(", ", seen.Select(l => $"'{l}'"))}."),
                "Check the partition label (lunacm: slot list) and that the partition is assigned to this client (lunash: client "
                + "assignPartition).");
        }

        if (tokens.Length > 1)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"{tokens.Length} slots show a partition labelled '{Configuration.PartitionLabel}' (slots {string.Join(", ", tokens.Select(t => t.SlotId))}).",
                "Give each partition a unique label, or enable HA-only mode so only the HA group's virtual slot is shown "
                + "(lunacm: hagroup haonly -enable).");
        }

        _token = tokens[0];
        var mechanisms = _module.GetMechanismList(_token.SlotId);
        if (!mechanisms.Contains(Ck.CkmAesGcm))
        {
            return CheckStep.Fail(KeystoreErrorKind.PermissionDenied,
                $"Partition '{_token.Label}' does not offer CKM_AES_GCM.",
                "Enable AES-GCM on the partition (partition policies) or use a firmware that supports it.");
        }

        var gcm = _module.GetMechanismInfo(_token.SlotId, Ck.CkmAesGcm);
        if (!gcm.CanEncrypt || !gcm.CanDecrypt || gcm.MinKeySize > 32 || gcm.MaxKeySize < 32)
        {
            return CheckStep.Fail(KeystoreErrorKind.PermissionDenied,
                $"Partition '{_token.Label}' offers CKM_AES_GCM only for keys of {gcm.MinKeySize}-{gcm.MaxKeySize} bytes"
                + $"{(gcm.CanEncrypt && gcm.CanDecrypt ? "" : " and not for both encryption and decryption")}; AES-256 (32 bytes) is needed.",
                "Check the partition's mechanism policies.");
        }

        var detail = $"{module}; partition '{_token.Label}' in slot {_token.SlotId} (model {_token.Model}, serial {_token.SerialNumber}, "
            + $"firmware {_token.FirmwareVersion}); CKM_AES_GCM with 256-bit keys supported.";
        if (Configuration.SlotId is { } configured && (nuint)configured != _token.SlotId)
        {
            return CheckStep.Warn(detail + $" The configured slot id {configured} does not match: the partition is in slot {_token.SlotId}.",
                "Nothing breaks (the partition is found by its label), but clear or correct the slot id to avoid confusion. "
                + "Slot numbers change when HA members change unless HA-only mode is on.");
        }

        return CheckStep.Pass(detail);
    }

    private async Task<CheckStep> LoginAsync(CancellationToken cancellationToken)
    {
        using var pin = await _secrets.GetAsync(F.PartitionPin, cancellationToken).ConfigureAwait(false);
        if (pin is null || pin.Length == 0)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration, "No partition PIN is stored for this keystore.",
                "Enter the partition's Crypto Officer PIN in the configuration step.");
        }

        if (_token!.UserPinLocked)
        {
            return CheckStep.Fail(KeystoreErrorKind.AuthenticationFailed,
                $"Partition '{_token.Label}' reports its Crypto Officer PIN as locked (CKF_USER_PIN_LOCKED); no login was tried.",
                $"Have the partition SO reset the Crypto Officer role (lunacm: role resetpw -name co) on '{_token.Label}', then store the new PIN.");
        }

        return await Task.Run(() =>
        {
            // Read again right before the login: the flags reflect logins since the interface check. A token at
            // CKF_USER_PIN_FINAL_TRY is refused by Pkcs11Session.Login itself, without C_Login.
            var countLow = _module!.GetTokenInfo(_token!.SlotId).UserPinCountLow;
            _session = _module.OpenSession(_token.SlotId);
            var fresh = _session.Login(pin.RevealBytes());
            var detail = fresh
                ? $"Logged in to partition '{_token.Label}' as the Crypto Officer."
                : $"Partition '{_token.Label}': this console is already logged in with this same PIN (the HSM accepted it at "
                    + "that login; PKCS#11 login state is shared by the application's sessions), so it was not sent again.";
            return countLow
                ? CheckStep.Warn(detail + " Before this login the partition reported CKF_USER_PIN_COUNT_LOW: wrong PINs were entered "
                    + "since its last successful login, and a few more lock the Crypto Officer.",
                    "Find out who or what entered wrong PINs (another keystore or tool with an old PIN, lunacm users) and correct it "
                    + "before the partition locks.")
                : CheckStep.Pass(detail);
        }, cancellationToken).ConfigureAwait(false);
    }

    private CheckStep KeyAccess()
    {
        var label = Configuration.KeyLabel;
        var found = _session!.FindSecretKeys(label, 16);
        if (found.Length == 0)
        {
            return CheckStep.Fail(KeystoreErrorKind.KeyNotFound,
                $"No secret key labelled '{label}' in partition '{_token!.Label}'.",
                "Create the L1 key as shown in the permissions step (step 4), or correct the key label.");
        }

        if (found.Length > 1)
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidConfiguration,
                $"{(found.Length == 16 ? "16 or more" : found.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} secret keys "
                + $"in partition '{_token!.Label}' are labelled '{label}' (object handles {string.Join(", ", found)}); OpenKCM needs exactly one.",
                "Give the L1 key a unique label, or delete the extra keys after making sure nothing was wrapped with them.");
        }

        var a = _session.GetKeyAttributes(found[0]);
        var problems = new List<string>();
        if (a.KeyType != Ck.CkkAes)
        {
            problems.Add($"it is a {(a.KeyType is { } t ? Ck.KeyTypeName(t) : "key of unknown type")} key, not AES");
        }
        else if (a.ValueLength != 32)
        {
            problems.Add($"it is AES-{(a.ValueLength ?? 0) * 8}, not AES-256 (32 bytes)");
        }

        if (a.Encrypt != true)
        {
            problems.Add("CKA_ENCRYPT is not true (it cannot wrap)");
        }

        if (a.Decrypt != true)
        {
            problems.Add("CKA_DECRYPT is not true (it cannot unwrap)");
        }

        if (a.Extractable != false)
        {
            problems.Add("CKA_EXTRACTABLE is true: the key can be exported from the HSM, so the L1 key would not be guaranteed to stay inside it");
        }

        if (a.Sensitive != true)
        {
            problems.Add("CKA_SENSITIVE is false: its value can be read out of the HSM in plain");
        }

        if (problems.Count > 0)
        {
            var kind = a.Extractable != false || a.Sensitive != true ? KeystoreErrorKind.InvalidConfiguration
                : a.Encrypt != true || a.Decrypt != true ? KeystoreErrorKind.PermissionDenied
                : KeystoreErrorKind.InvalidConfiguration;
            return CheckStep.Fail(kind, $"Key '{label}' cannot be the L1 key: {string.Join("; ", problems)}.",
                "Create a new L1 key inside the HSM as in the permissions step (AES-256, -sensitive=1 -extractable=0 "
                + "-encrypt=1 -decrypt=1) and use its label. A key that was ever extractable cannot be made safe again.");
        }

        _key = found[0];
        var history = a.NeverExtractable == true && a.AlwaysSensitive == true
            ? "never extractable and always sensitive since it was created"
            : "sensitive and not extractable now (but CKA_NEVER_EXTRACTABLE / CKA_ALWAYS_SENSITIVE say it was not always so)";
        return a.NeverExtractable == true && a.AlwaysSensitive == true
            ? CheckStep.Pass($"Key '{label}': AES-256 secret key, encrypt and decrypt allowed, {history}.")
            : CheckStep.Warn($"Key '{label}': AES-256 secret key, encrypt and decrypt allowed, {history}.",
                "Prefer a key generated inside the HSM as non-extractable: a copy may exist from when it could be exported.");
    }

    private CheckStep EncryptDecrypt()
    {
        var value = RandomNumberGenerator.GetBytes(32);
        var aad = RandomNumberGenerator.GetBytes(16);
        var iv = new byte[Ck.GcmIvLength];
        _session!.GenerateRandom(iv);
        var sealedBytes = _session.EncryptAesGcm(_key, iv, aad, value);
        var back = _session.DecryptAesGcm(_key, iv, aad, sealedBytes);
        if (!CryptographicOperations.FixedTimeEquals(value, back))
        {
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                "The HSM decrypted the test value to something else than was encrypted.", "Report this to the HSM vendor.");
        }

        aad[0] ^= 0x01;
        try
        {
            _ = _session.DecryptAesGcm(_key, iv, aad, sealedBytes);
            return CheckStep.Fail(KeystoreErrorKind.InvalidResponse,
                "The HSM decrypted the value with changed associated data: AES-GCM authentication is not enforced.",
                "Do not use this partition for key wrapping; check the HSM firmware.");
        }
        catch (Pkcs11Exception ex) when (ex.IsAuthenticationTagFailure)
        {
            return CheckStep.Pass($"AES-256-GCM round trip of 32 random bytes with a 96-bit IV from the HSM's generator and "
                + $"16 bytes of associated data ({sealedBytes.Length} bytes sealed); decrypting with changed associated data was refused, as it must be (the HSM reported {ex.CodeName} for the failed authentication tag).");
        }
    }

    private CheckStep Latency(CancellationToken cancellationToken)
    {
        var samples = new double[_options.LatencyRoundTrips];
        var value = RandomNumberGenerator.GetBytes(32);
        var aad = "openkcm-latency"u8.ToArray();
        var iv = new byte[Ck.GcmIvLength];
        for (var i = 0; i < samples.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = _time.GetTimestamp();
            _session!.GenerateRandom(iv);
            var sealedBytes = _session.EncryptAesGcm(_key, iv, aad, value);
            _ = _session.DecryptAesGcm(_key, iv, aad, sealedBytes);
            samples[i] = _time.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        var p50 = Percentile(samples, 0.50);
        var p95 = Percentile(samples, 0.95);
        var budget = _options.LatencyBudget.TotalMilliseconds;
        var detail = $"{samples.Length} wrap+unwrap round trips: p50 {p50:0.00} ms, p95 {p95:0.00} ms, max {samples[^1]:0.00} ms "
            + $"(budget {budget:0} ms at p95).";
        return p95 > budget
            ? CheckStep.Warn(detail,
                "The HSM is slower than the budget: check the network latency to the appliances, their load (lunash: hsm show) and "
                + "whether the console talks to the nearest HA member.")
            : CheckStep.Pass(detail);
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

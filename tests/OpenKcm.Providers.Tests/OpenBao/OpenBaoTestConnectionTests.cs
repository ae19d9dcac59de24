using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>Test Connection against the OpenBao emulator over real HTTP: the seeded scenario, then one cause per failure.</summary>
public sealed class OpenBaoTestConnectionTests : IAsyncLifetime
{
    private OpenBaoSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await OpenBaoSandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task TestConnection_SeededScenario_PassesEveryCheck()
    {
        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        CheckResults.AssertAllPassed(results);
        Assert.Contains("active node", results[OpenBaoCheckIds.ServerHealth].Detail);
        Assert.Contains(_sandbox.Emulator.Profile == Sandbox.OpenBao.OpenBaoProfile.OpenBao ? "2.6" : "1.", results[OpenBaoCheckIds.ServerHealth].Detail);
        Assert.Contains("openkcm-policy", results[OpenBaoCheckIds.Authenticate].Detail);
        Assert.Contains("renewable", results[OpenBaoCheckIds.TokenLifecycle].Detail);
        Assert.Contains("aes256-gcm96", results[OpenBaoCheckIds.KeyAccess].Detail);
        Assert.Contains("refused", results[OpenBaoCheckIds.PolicyEnforcement].Detail);
        Assert.All(results.Values, r => Assert.DoesNotContain(_sandbox.Emulator.SecretId, r.Detail + r.Remedy));
    }

    [Fact]
    public async Task TestConnection_SecretIdFile_PassesEveryCheck()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.SecretIdPath, _sandbox.SecretIdPath);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(options: _sandbox.Options()), settings, InMemorySecretResolver.None);

        CheckResults.AssertAllPassed(results);
        Assert.Contains(_sandbox.SecretIdPath, results[OpenBaoCheckIds.Authenticate].Detail);
    }

    [Fact]
    public async Task TestConnection_SandboxManifestConfiguration_IsValidAndPassesEveryCheck()
    {
        var configuration = _sandbox.Manifest["openbao"]!["configuration"]!.AsObject();
        var settings = new KeystoreSettings(configuration.ToImmutableDictionary(p => p.Key, p => p.Value!.GetValue<string>()));
        var plugin = OpenBaoTestSettings.Plugin(options: _sandbox.Options());

        Assert.Empty(plugin.Validate(settings, OpenBaoTestSettings.NoSecrets));
        CheckResults.AssertAllPassed(await CheckResults.RunAsync(plugin, settings, InMemorySecretResolver.None));
    }

    [Fact]
    public async Task TestConnection_EmulatorDown_FailsServerHealthAsUnreachable()
    {
        await _sandbox.Emulator.Faults.SetDownAsync(true);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.Unreachable);
        Assert.Contains("refused", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_SlowServer_FailsServerHealthAsTimedOut()
    {
        _sandbox.Emulator.Faults.LatencyMs = 30_000;
        var plugin = OpenBaoTestSettings.Plugin(options: new OpenBaoOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        var results = await CheckResults.RunAsync(plugin, _sandbox.Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.TimedOut);
        Assert.Contains("300 ms", failed.Detail);
        // Timers may fire a tick early compared with the high-resolution clock that measures the duration.
        Assert.True(failed.Duration >= TimeSpan.FromMilliseconds(250), $"{failed.Duration}");
    }

    [Fact]
    public async Task TestConnection_Sealed_FailsServerHealthAsUnavailableSayingSealed()
    {
        _sandbox.Emulator.Faults.Sealed = true;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.Unavailable);
        Assert.Contains("sealed", failed.Detail);
        Assert.Contains("unseal", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_Uninitialized_FailsServerHealthAsUnavailable()
    {
        _sandbox.Emulator.Node.Initialized = false;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.Unavailable);
        Assert.Contains("not initialized", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_StandbyNode_WarnsAndContinues()
    {
        _sandbox.Emulator.Node.Standby = true;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        Assert.Equal(CheckOutcome.Warning, results[OpenBaoCheckIds.ServerHealth].Outcome);
        Assert.Contains("standby", results[OpenBaoCheckIds.ServerHealth].Detail);
        Assert.Equal(CheckOutcome.Passed, results[OpenBaoCheckIds.EncryptDecrypt].Outcome);
    }

    [Fact]
    public async Task TestConnection_InjectedServerErrors_FailServerHealthAsUnavailable()
    {
        _sandbox.Emulator.Faults.ErrorRate = 1;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.Unavailable);
    }

    [Fact]
    public async Task TestConnection_WrongRoleId_FailsAuthenticateNamingTheRoleId()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, Guid.NewGuid().ToString());

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.Authenticate, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("role_id", failed.Detail);
        Assert.DoesNotContain("secret_id", failed.Detail);
        Assert.Contains("role-id", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_WrongSecretId_FailsAuthenticateNamingTheSecretIdWithoutShowingIt()
    {
        var wrong = Guid.NewGuid().ToString();

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets(wrong));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.Authenticate, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("secret_id", failed.Detail);
        Assert.Contains("secret-id", failed.Remedy);
        Assert.DoesNotContain(wrong, failed.Detail + failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_UnreadableSecretIdFile_FailsAuthenticateNamingTheFile()
    {
        var missing = Path.Combine(Path.GetDirectoryName(_sandbox.SecretIdPath)!, "no-such-secret-id");
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.SecretIdPath, missing);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(options: _sandbox.Options()), settings, InMemorySecretResolver.None);

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.Authenticate, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains(missing, failed.Detail);
        Assert.Contains("does not exist", failed.Detail);
        Assert.Contains($"(umask 077; bao write -f -field=secret_id auth/approle/role/openkcm-service/secret-id > {missing})", failed.Remedy);
        Assert.Contains("OpenKcm:OpenBao:SecretIdDirectories", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_SecretIdFileLinkingOutside_FailsAuthenticateWithoutSuggestingAWriteThroughTheLink()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"openkcm-outside-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(outside, "outside-content-never-shown\n");
        try
        {
            var link = Path.Combine(Path.GetDirectoryName(_sandbox.SecretIdPath)!, "linked-secret-id");
            File.CreateSymbolicLink(link, outside);
            var settings = _sandbox.Settings().With(OpenBaoFieldNames.SecretIdPath, link);

            var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(options: _sandbox.Options()), settings, InMemorySecretResolver.None);

            var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.Authenticate, KeystoreErrorKind.InvalidConfiguration);
            Assert.Contains("links to a file outside", failed.Detail);
            Assert.DoesNotContain("umask", failed.Remedy);
            Assert.DoesNotContain("outside-content-never-shown", failed.Detail + failed.Remedy);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task TestConnection_SandboxSecretIdFileWithoutItsDirectoryAllowed_IsRefusedBeforeAnyRequest()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.SecretIdPath, _sandbox.SecretIdPath);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, InMemorySecretResolver.None);

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("OpenKcm:OpenBao:SecretIdDirectories", failed.Detail);
        Assert.DoesNotContain(_sandbox.Emulator.SecretId, failed.Detail + failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_MissingKey_FailsKeyAccessNamingMountKeyAndTheCreateCommand()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.KeyName, "no-such-key");
        var policy = OpenBaoTestSettings.Plugin().GetPermissionGuidance(settings).Blocks[0].Content;
        var role = await _sandbox.CreateRoleAsync("missing-key", policy);
        settings = settings.With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.KeyAccess, KeystoreErrorKind.KeyNotFound);
        Assert.Contains("openkcm-keys/keys/no-such-key", failed.Detail);
        Assert.Contains("bao write openkcm-keys/keys/no-such-key type=aes256-gcm96", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_MountNotEnabled_FailsKeyAccessWithTheEnableCommand()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.MountPath, "tenant-b-keys");
        var role = await _sandbox.CreateRoleAsync("no-mount", OpenBaoTestSettings.Plugin().GetPermissionGuidance(settings).Blocks[0].Content);
        settings = settings.With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.KeyAccess, KeystoreErrorKind.KeyNotFound);
        Assert.Contains("No secrets engine is mounted", failed.Detail);
        Assert.Contains("bao secrets enable -path=tenant-b-keys transit", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_AddressIsNotOpenBao_FailsServerHealthAsInvalidResponse()
    {
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.VaultAddress, _sandbox.ControlUrl.GetLeftPart(UriPartial.Authority));

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.InvalidResponse);
        Assert.Contains("vault_address", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_KeyReadDenied_FailsKeyAccessNamingThePolicyLine()
    {
        var role = await _sandbox.CreateRoleAsync("no-read", PolicyWithout("openkcm-keys/keys/customer-master-key"));
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.KeyAccess, KeystoreErrorKind.PermissionDenied);
        Assert.Contains("path \"openkcm-keys/keys/customer-master-key\" {\n  capabilities = [\"read\"]\n}", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_PolicyDeniesEncrypt_FailsEncryptDecryptNamingTheUpdateCapability()
    {
        var role = await _sandbox.CreateRoleAsync("no-encrypt", PolicyWithout("openkcm-keys/encrypt/customer-master-key"));
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.EncryptDecrypt, KeystoreErrorKind.PermissionDenied);
        Assert.Contains("'update' on 'openkcm-keys/encrypt/customer-master-key'", failed.Detail);
        Assert.Contains("path \"openkcm-keys/encrypt/customer-master-key\" {\n  capabilities = [\"update\"]\n}", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_PolicyDeniesRenewSelf_FailsTokenLifecycle()
    {
        var role = await _sandbox.CreateRoleAsync("no-renew", PolicyWithout("auth/token/renew-self"));
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.TokenLifecycle, KeystoreErrorKind.PermissionDenied);
        Assert.Contains("auth/token/renew-self", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_TooBroadPolicy_WarnsAtPolicyEnforcementWithTheGeneratedPolicy()
    {
        const string Broad = """
            path "openkcm-keys/*" {
              capabilities = ["read", "update", "list"]
            }
            path "auth/token/*" {
              capabilities = ["read", "update"]
            }
            """;
        var role = await _sandbox.CreateRoleAsync("broad", Broad);
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        var check = results[OpenBaoCheckIds.PolicyEnforcement];
        Assert.Equal(CheckOutcome.Warning, check.Outcome);
        Assert.Contains("token can list all transit keys", check.Detail);
        Assert.Contains("policy is broader than needed", check.Detail);
        Assert.Contains(OpenBaoTestSettings.Plugin().GetPermissionGuidance(settings).Blocks[0].Content, check.Remedy);
        Assert.All(results.Values.Where(r => r.Id != OpenBaoCheckIds.PolicyEnforcement), r => Assert.Equal(CheckOutcome.Passed, r.Outcome));
    }

    [Fact]
    public async Task TestConnection_ResultsAreYieldedOneByOne_EachAsSoonAsItFinishes()
    {
        await using var enumerator = OpenBaoTestSettings.Plugin()
            .TestConnectionAsync(_sandbox.Settings(), _sandbox.Secrets(), CancellationToken.None)
            .GetAsyncEnumerator();

        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(CheckResults.Guard));
        Assert.Equal(OpenBaoCheckIds.ServerHealth, enumerator.Current.Id);
        _sandbox.Emulator.Faults.Sealed = true;
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(CheckResults.Guard));

        Assert.Equal(OpenBaoCheckIds.Authenticate, enumerator.Current.Id);
        Assert.Equal(KeystoreErrorKind.Unavailable, enumerator.Current.ErrorKind);
    }

    /// <summary>The generated seed policy minus the stanza for <paramref name="path"/>.</summary>
    private static string PolicyWithout(string path)
    {
        var policy = OpenBaoTestSettings.Plugin().GetPermissionGuidance(OpenBaoTestSettings.Seed()).Blocks[0].Content;
        var line = OpenBaoGuidance.PolicyLine(path, path.Contains("/keys/", StringComparison.Ordinal) || path.EndsWith("lookup-self", StringComparison.Ordinal) ? "read" : "update");
        Assert.Contains(line, policy);
        return policy.Replace(line, "", StringComparison.Ordinal);
    }
}

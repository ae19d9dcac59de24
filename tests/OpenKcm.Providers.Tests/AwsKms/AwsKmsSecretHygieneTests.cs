using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Providers.Tests.Support;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>No credential value (console secret key, session secret, session token) in any check, exception or log line.</summary>
[Collection(AwsKmsCollection.Name)]
public sealed class AwsKmsSecretHygieneTests
{
    [Fact]
    public async Task FailingChecksOperationsAndLogs_NeverContainACredentialValue()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        var logger = new ListLogger<AwsKmsPlugin>();
        var options = new AwsKmsOptions();
        var plugin = new AwsKmsPlugin(new AwsHttpHandlerPool(options), sandbox.Time, options, logger);
        var consoleSecret = sandbox.Emulator.ConsoleAccessKey.SecretAccessKey;
        var noEncrypt = sandbox.CreateRole("NoEncrypt", AwsKmsEmulator.LeastPrivilegeActions.Where(a => a != "kms:Encrypt"));
        var texts = new List<string>();

        foreach (var settings in new[]
        {
            sandbox.Settings().With(AwsKmsFieldNames.RoleArn, noEncrypt),
            sandbox.Settings().With(AwsKmsFieldNames.ExternalId, "wrong-external-id"),
            sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, "alias/missing"),
        })
        {
            var results = await AwsKmsChecks.RunAsync(plugin, settings, sandbox.Secrets());
            texts.AddRange(results.Values.Select(r => r.Detail + " " + r.Remedy));
        }

        await using var connection = (AwsKmsConnection)await plugin.ConnectAsync(
            sandbox.Settings().With(AwsKmsFieldNames.RoleArn, noEncrypt), sandbox.Secrets(), CancellationToken.None);
        var session = connection.Sessions.Current!;
        var denied = await Assert.ThrowsAsync<KeystoreException>(() => connection.WrapAsync(new byte[32], new byte[] { 1 }, CancellationToken.None));
        texts.Add(denied.ToString());
        texts.Add((await connection.DescribeAsync(CancellationToken.None)).ToJsonString());
        texts.Add(session.ToString());
        texts.AddRange(logger.Lines);

        Assert.Equal(KeystoreErrorKind.PermissionDenied, denied.Kind);
        Assert.Equal("kms:Encrypt", denied.Permission);
        foreach (var secret in new[] { consoleSecret, session.SecretAccessKey, session.SessionToken })
        {
            Assert.All(texts, t => Assert.DoesNotContain(secret, t));
        }
    }

    [Fact]
    public async Task DefaultChain_EnvironmentCredentials_PassEveryCheckAndNamingNoneOfThem()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        var key = sandbox.Emulator.ConsoleAccessKey;
        var settings = sandbox.Settings().With(AwsKmsFieldNames.CredentialSource, AwsKmsFieldNames.DefaultChain).With(AwsKmsFieldNames.AccessKeyId, null);

        using (AwsEnvironment.With(("AWS_ACCESS_KEY_ID", key.AccessKeyId), ("AWS_SECRET_ACCESS_KEY", key.SecretAccessKey)))
        {
            var results = await AwsKmsChecks.RunAsync(sandbox.Plugin(), settings, InMemorySecretResolver.None);

            AwsKmsChecks.AssertAllPassed(results);
            Assert.Contains("default AWS credentials belong to " + sandbox.Emulator.ConsoleUserArn, results[AwsKmsCheckIds.ConsoleCredentials].Detail);
            Assert.All(results.Values, r => Assert.DoesNotContain(key.SecretAccessKey, r.Detail + r.Remedy));
        }
    }

    [Fact]
    public async Task DefaultChain_NoCredentialsOnTheHost_FailsConsoleCredentialsAsInvalidConfiguration()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        var settings = sandbox.Settings().With(AwsKmsFieldNames.CredentialSource, AwsKmsFieldNames.DefaultChain).With(AwsKmsFieldNames.AccessKeyId, null);

        using (AwsEnvironment.With(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null)))
        {
            var results = await AwsKmsChecks.RunAsync(sandbox.Plugin(), settings, InMemorySecretResolver.None);

            var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.InvalidConfiguration);
            Assert.Contains("no AWS credentials in its default chain", failed.Detail);
        }
    }

    [Fact]
    public void Wipe_StreamThatHidesItsBuffer_ZeroesTheKeyMaterial()
    {
        // The SDK hands responses' blobs back as MemoryStreams over a decoded array, which do not expose their buffer.
        var material = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var stream = new MemoryStream(material);
        Assert.False(stream.TryGetBuffer(out _));

        AwsKmsClient.Wipe(stream);

        Assert.All(material, b => Assert.Equal(0, b));
        Assert.Equal(32, stream.Length);
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public void Wipe_StreamThatExposesItsBuffer_ZeroesTheKeyMaterial()
    {
        var stream = new MemoryStream();
        stream.Write(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        AwsKmsClient.Wipe(stream);

        Assert.All(stream.ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(32, stream.Length);
    }

    [Fact]
    public void Wipe_NullDisposedOrReadOnly_DoesNotThrow()
    {
        var disposed = new MemoryStream(new byte[] { 1, 2, 3 });
        disposed.Dispose();

        Assert.Null(Record.Exception(() => AwsKmsClient.Wipe(null)));
        Assert.Null(Record.Exception(() => AwsKmsClient.Wipe(disposed)));
        Assert.Null(Record.Exception(() => AwsKmsClient.Wipe(new MemoryStream(new byte[] { 1, 2, 3 }, writable: false))));
    }

    /// <summary>
    /// Sets AWS environment variables for one test and restores them; points the shared config and credentials files
    /// at nothing and turns off the EC2 metadata lookup, so the default chain sees only what the test sets.
    /// Process-wide, hence <see cref="AwsKmsCollection"/> (only AWS tests read these variables).
    /// </summary>
    private sealed class AwsEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _saved = [];

        private AwsEnvironment((string Name, string? Value)[] variables)
        {
            var missing = Path.Combine(Path.GetTempPath(), "openkcm-no-aws-" + Guid.NewGuid().ToString("N"));
            foreach (var (name, value) in variables.Concat([
                ("AWS_SHARED_CREDENTIALS_FILE", missing), ("AWS_CONFIG_FILE", missing), ("AWS_EC2_METADATA_DISABLED", "true"),
                ("AWS_PROFILE", null), ("AWS_SESSION_TOKEN", null), ("AWS_WEB_IDENTITY_TOKEN_FILE", null),
                ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", null)]))
            {
                _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public static AwsEnvironment With(params (string Name, string? Value)[] variables) => new(variables);

        public void Dispose()
        {
            foreach (var (name, value) in _saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Sandbox.AwsKms.Core;
using OpenKcm.Sandbox.AwsKms.Http;
using OpenKcm.Sandbox.AwsKms.Kms;
using OpenKcm.Sandbox.AwsKms.State;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.Hosting;

namespace OpenKcm.Sandbox.AwsKms;

/// <summary>
/// An in-process AWS KMS + STS endpoint on 127.0.0.1 (one listener; KMS JSON 1.1 and STS query protocol, SigV4
/// verified), seeded with the OpenKCM scenario: account <see cref="AccountId"/> in <see cref="Region"/>, IAM user
/// <see cref="ConsoleUserName"/> with a fresh access key pair, role <see cref="RoleName"/> trusted for that user with a
/// generated <see cref="ExternalId"/> and allowed exactly <see cref="LeastPrivilegeActions"/>, and a symmetric
/// ENCRYPT_DECRYPT key with alias <see cref="AliasName"/>. State is in memory and survives the "down" fault; with
/// <see cref="AwsKmsEmulatorOptions.StatePath"/> also a restart. Thread-safe.
/// </summary>
public sealed class AwsKmsEmulator : ISandboxEmulator, IAsyncDisposable
{
    public const string DefaultName = "aws_kms";
    public const string ConsoleUserName = "openkcm-console";
    public const string RoleName = "OpenKcmKeystoreAccess";
    public const string DefaultAliasName = "alias/openkcm-l1";

    /// <summary>What a least-privilege OpenKCM policy grants on the L1 key, and so what the seeded role may do.</summary>
    public static readonly IReadOnlyList<string> LeastPrivilegeActions = ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"];

    private readonly EmulatorListener _listener;
    private readonly AwsHttpHandler _handler;
    private readonly AwsAccount _account;

    private AwsKmsEmulator(string name, AwsAccount account, EmulatorListener listener, AwsHttpHandler handler, EmulatorFaults faults,
        AwsKmsAdmin admin, AwsAccessKey consoleKey, string roleArn, string externalId, string keyArn)
    {
        Name = name;
        _account = account;
        _listener = listener;
        _handler = handler;
        Faults = faults;
        Admin = admin;
        ConsoleAccessKey = consoleKey;
        RoleArn = roleArn;
        ExternalId = externalId;
        KeyArn = keyArn;
        BaseAddress = new Uri($"http://127.0.0.1:{listener.Port}/");
    }

    public string Name { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>, the endpoint for both KMS and STS; the port survives down/up.</summary>
    public Uri BaseAddress { get; }

    public EmulatorFaults Faults { get; }

    public string Region => _account.Region;

    public string AccountId => _account.AccountId;

    /// <summary>The console user's long-term key pair (<c>AKIA…</c>); may call sts:AssumeRole and GetCallerIdentity only.</summary>
    public AwsAccessKey ConsoleAccessKey { get; }

    public string ConsoleUserArn => $"arn:aws:iam::{AccountId}:user/{ConsoleUserName}";

    /// <summary><c>arn:aws:iam::ACCOUNT:role/OpenKcmKeystoreAccess</c>.</summary>
    public string RoleArn { get; }

    /// <summary>The external ID the role's trust requires (random per start).</summary>
    public string ExternalId { get; }

    /// <summary>The seeded L1 key's ARN.</summary>
    public string KeyArn { get; }

    public string KeyId => KeyArn[(KeyArn.LastIndexOf('/') + 1)..];

    public string AliasName => DefaultAliasName;

    public AwsKmsAdmin Admin { get; }

    /// <summary>Requests being handled right now, including those held by injected latency.</summary>
    internal int InFlightRequests => _handler.InFlight;

    /// <summary>Starts on <see cref="AwsKmsEmulatorOptions.Port"/> (any free port when 0 or taken) with a fresh seed.</summary>
    /// <exception cref="ArgumentException">Invalid options (region, account, throttle rate).</exception>
    public static async Task<AwsKmsEmulator> StartAsync(AwsKmsEmulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AccountId.Length != 12 || !options.AccountId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("the account id has 12 digits", nameof(options));
        }

        if (string.IsNullOrEmpty(options.Region) || !options.Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException("the region is lower-case letters, digits and dashes, e.g. us-east-1", nameof(options));
        }

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<AwsKmsEmulator>();
        var stateFile = options.StatePath is null ? null : new StateFile<AwsState>(options.StatePath, options.Name,
            "its users, roles and keys",
            "fresh credentials and keys were seeded: sandbox keystores must be re-imported from the new manifest, and data "
            + "encrypted before cannot be decrypted", options.TimeProvider, logger);
        var seed = stateFile?.Load(state => Restore(state, options)) ?? Seed(options);
        var account = seed.Account;
        var throttle = new TokenBucket(options.TimeProvider) { Rate = options.ThrottleRequestsPerSecond };

        AwsHttpHandler? handler = null;
        var listener = new EmulatorListener(options.Name, [options.Port, seed.LastPort], context => handler!.HandleAsync(context), loggerFactory);
        var faults = new EmulatorFaults(listener);
        handler = new AwsHttpHandler(account, options.SignatureClock ?? options.TimeProvider, faults, throttle, logger);
        if (stateFile is not null)
        {
            // Set before the first request can arrive; the port is read at each save (0 until bound).
            account.AfterChange = a => stateFile.Save(a.Capture(listener.Port, seed.Key.KeyId));
        }

        try
        {
            await listener.SetListeningAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            account.Dispose();
            throw;
        }

        stateFile?.Save(account.Capture(listener.Port, seed.Key.KeyId));
        return new AwsKmsEmulator(options.Name, account, listener, handler, faults, new AwsKmsAdmin(account, throttle),
            seed.Console.Key, seed.Role.Arn, seed.Role.RequiredExternalId!, seed.Key.Arn);
    }

    private static AwsSeed Seed(AwsKmsEmulatorOptions options)
    {
        var account = new AwsAccount(options.AccountId, options.Region, options.TimeProvider);
        var console = account.AddUser(ConsoleUserName, ["sts:AssumeRole"]);
        var role = account.AddRole(RoleName, console.Arn, AwsIds.ExternalId(), LeastPrivilegeActions);
        var key = account.AddKey("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "Enabled", "OpenKCM L1 key (sandbox)", DefaultAliasName);
        return new AwsSeed(account, console, role, key, LastPort: 0);
    }

    private static AwsSeed Restore(AwsState state, AwsKmsEmulatorOptions options)
    {
        if (state.AccountId != options.AccountId || state.Region != options.Region)
        {
            throw new InvalidDataException($"it is for account {state.AccountId} in {state.Region}, not {options.AccountId} in {options.Region}");
        }

        var account = AwsAccount.Restore(state, options.TimeProvider);
        var console = account.FindAccessKey(state.Users.FirstOrDefault(u => u.Name == ConsoleUserName)?.AccessKeyId ?? "").User;
        var role = account.FindRole($"arn:aws:iam::{state.AccountId}:role/{RoleName}");
        var key = account.FindKey(state.SeedKeyId);
        if (console is null || role?.RequiredExternalId is null || key is null)
        {
            account.Dispose();
            throw new InvalidDataException($"it lacks the seeded user {ConsoleUserName}, role {RoleName} (with its external ID) or key {state.SeedKeyId}");
        }

        return new AwsSeed(account, console, role, key, state.Port);
    }

    /// <summary>
    /// The console wizard's import entry: <c>{"plugin_type":"aws_kms","plugin_name":"sandbox_aws_kms","configuration":
    /// {region, kms_key_id, role_arn, external_id, endpoint, credential_source:"access_keys", access_key_id}}</c>.
    /// The secret access key is not in it (see <see cref="SandboxAdminEntry"/>).
    /// </summary>
    public JsonObject ManifestEntry() => new()
    {
        ["plugin_type"] = "aws_kms",
        ["plugin_name"] = "sandbox_" + Name,
        ["configuration"] = new JsonObject
        {
            ["region"] = Region,
            ["kms_key_id"] = KeyArn,
            ["role_arn"] = RoleArn,
            ["external_id"] = ExternalId,
            ["endpoint"] = BaseAddress.GetLeftPart(UriPartial.Authority),
            ["credential_source"] = "access_keys",
            ["access_key_id"] = ConsoleAccessKey.AccessKeyId,
        },
    };

    /// <summary>
    /// For the manifest's <c>sandbox_admin</c> section only (tools, never an import entry): <c>{"access_key_id",
    /// "secret_access_key", "user_arn"}</c> of the console user.
    /// </summary>
    public JsonObject SandboxAdminEntry() => new()
    {
        ["access_key_id"] = ConsoleAccessKey.AccessKeyId,
        ["secret_access_key"] = ConsoleAccessKey.SecretAccessKey,
        ["user_arn"] = ConsoleUserArn,
    };

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        _account.Dispose();
    }

    private sealed record AwsSeed(AwsAccount Account, IamUser Console, IamRole Role, KmsKey Key, int LastPort);
}

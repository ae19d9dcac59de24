using System.Text;

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// One SoftHSM2 token directory and its configuration file, driven through the real tools as child processes with
/// <c>SOFTHSM2_CONF</c> in their environment (never this process's: the console loads the module itself). PINs reach
/// <c>pkcs11-tool</c> through an environment variable of the child (<c>--pin env:NAME</c>), not its command line;
/// <c>softhsm2-util</c> has no such option and reads PINs from a terminal otherwise, so <c>--init-token</c> gets them as
/// arguments. No method logs or puts a PIN or tool output in a message. Not thread-safe: start-up drives it alone.
/// </summary>
internal sealed class SoftHsmToken(SoftHsmTools tools, string directory, TimeSpan timeout)
{
    private const string PinVariable = "OPENKCM_SANDBOX_PIN";

    /// <summary>The <c>SOFTHSM2_CONF</c> file: <c>&lt;directory&gt;/softhsm2.conf</c>.</summary>
    public string ConfPath { get; } = ConfPathIn(directory);

    /// <summary>Where SoftHSM keeps the token files: <c>&lt;directory&gt;/tokens</c>.</summary>
    public string TokenDirectory { get; } = Path.Combine(directory, "tokens");

    /// <summary>The configuration file's path for a token directory at <paramref name="directory"/>.</summary>
    public static string ConfPathIn(string directory) => Path.Combine(directory, "softhsm2.conf");

    public bool Exists => File.Exists(ConfPath) && Directory.Exists(TokenDirectory);

    /// <summary>Removes the directory with every token in it, and creates it empty (mode 0700) with a fresh configuration.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        PrivateFile.CreateDirectory(directory);
        PrivateFile.CreateDirectory(TokenDirectory);
        await WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>(Re)writes the configuration file (mode 0600), which names the token directory by its absolute path.</summary>
    public Task WriteConfigurationAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .AppendLine("# Written by the OpenKCM sandbox (Thales Luna stand-in). Point SOFTHSM2_CONF at this file.")
            .AppendLine($"directories.tokendir = {Path.GetFullPath(TokenDirectory)}")
            .AppendLine("objectstore.backend = file")
            .AppendLine("log.level = ERROR")
            .AppendLine("slots.removable = false")
            .ToString();
        return PrivateFile.WriteAsync(ConfPath, text, cancellationToken);
    }

    /// <summary><c>softhsm2-util --init-token --free</c>: a new token in the first free slot.</summary>
    /// <exception cref="ToolException">The tool failed; the message holds its error output without the PINs.</exception>
    public async Task InitializeTokenAsync(string label, string userPin, string soPin, CancellationToken cancellationToken)
    {
        var result = await RunAsync(tools.SoftHsmUtilPath,
            ["--init-token", "--free", "--label", label, "--pin", userPin, "--so-pin", soPin], pin: null, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ToolException($"softhsm2-util --init-token --label {label} failed: {result.Diagnostic(userPin, soPin)}");
        }
    }

    /// <summary>
    /// <c>pkcs11-tool --keygen</c>: an AES-256 token key, private, sensitive, not extractable (the tool sets
    /// CKA_EXTRACTABLE false unless told <c>--extractable</c>), usable to encrypt, decrypt, wrap and unwrap.
    /// </summary>
    /// <exception cref="ToolException">The tool failed.</exception>
    public async Task GenerateKeyAsync(string tokenLabel, string userPin, string keyLabel, string keyId, CancellationToken cancellationToken)
    {
        var result = await RunPkcs11ToolAsync(tokenLabel, userPin,
            ["--keygen", "--key-type", "AES:32", "--label", keyLabel, "--id", keyId, "--private", "--sensitive",
                "--usage-decrypt", "--usage-wrap"], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ToolException($"pkcs11-tool --keygen --key-type AES:32 --label {keyLabel} failed: {result.Diagnostic(userPin)}");
        }
    }

    /// <summary>
    /// The secret keys <c>pkcs11-tool --list-objects --type secrkey</c> shows, logged in with <paramref name="userPin"/>
    /// or, when it is <c>null</c>, without logging in (then private keys are not shown).
    /// </summary>
    public async Task<KeyListing> ListSecretKeysAsync(string tokenLabel, string? userPin, CancellationToken cancellationToken)
    {
        var result = await RunPkcs11ToolAsync(tokenLabel, userPin, ["--list-objects", "--type", "secrkey"], cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return new KeyListing(KeyListingStatus.Listed, SecretKeyListing.Parse(result.Output), null);
        }

        var status = result.Error.Contains("No slot with token named", StringComparison.Ordinal) ? KeyListingStatus.NoToken
            : result.Error.Contains("CKR_PIN_INCORRECT", StringComparison.Ordinal) ? KeyListingStatus.WrongPin
            : KeyListingStatus.Failed;
        return new KeyListing(status, [], $"pkcs11-tool --list-objects failed: {result.Diagnostic(userPin ?? "")}");
    }

    private Task<ToolResult> RunPkcs11ToolAsync(string tokenLabel, string? userPin, IReadOnlyList<string> operation,
        CancellationToken cancellationToken)
    {
        List<string> arguments = ["--module", tools.ModulePath, "--token-label", tokenLabel];
        if (userPin is not null)
        {
            arguments.AddRange(["--login", "--pin", "env:" + PinVariable]);
        }

        arguments.AddRange(operation);
        return RunAsync(tools.Pkcs11ToolPath, arguments, userPin, cancellationToken);
    }

    private Task<ToolResult> RunAsync(string program, IReadOnlyList<string> arguments, string? pin, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["SOFTHSM2_CONF"] = ConfPath };
        if (pin is not null)
        {
            environment[PinVariable] = pin;
        }

        return ToolRunner.RunAsync(program, arguments, environment, timeout, cancellationToken);
    }
}

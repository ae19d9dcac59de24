using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// Brings the sandbox's token to the state the Luna plugin expects: a token <see cref="LunaSandbox.DefaultTokenLabel"/>
/// holding exactly one AES-256 key <see cref="LunaSandbox.DefaultKeyLabel"/> that is private, sensitive and not
/// extractable. With a previous state it reuses the token, its PINs and its key (creating the key again if it was
/// deleted); without one, or when the old token is gone or refuses its PIN, it wipes the token directory and starts
/// fresh. Every outcome is verified by listing the keys with <c>pkcs11-tool</c>.
/// </summary>
internal sealed class LunaTokenSetup(SoftHsmToken token, ILogger logger)
{
    /// <summary>CKA_ID of the L1 key: "L1" in ASCII, so tools can also select it with <c>--id 4c31</c>.</summary>
    public const string KeyId = "4c31";

    /// <summary>Characters of a generated PIN (no look-alikes; PINs are typed by people in the sandbox).</summary>
    private const string PinAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private const int PinLength = 20;

    /// <summary>Returns the state in use (the previous one when it could be reused).</summary>
    /// <exception cref="ToolException">A tool failed, or the key the token holds is not a proper L1 key.</exception>
    public async Task<LunaState> RunAsync(LunaState? previous, CancellationToken cancellationToken)
    {
        if (previous is not null && await TryReuseAsync(previous, cancellationToken).ConfigureAwait(false))
        {
            return previous;
        }

        var state = new LunaState
        {
            Format = LunaState.CurrentFormat,
            TokenLabel = LunaSandbox.DefaultTokenLabel,
            KeyLabel = LunaSandbox.DefaultKeyLabel,
            UserPin = RandomNumberGenerator.GetString(PinAlphabet, PinLength),
            SoPin = RandomNumberGenerator.GetString(PinAlphabet, PinLength),
            NtlsPort = previous?.NtlsPort ?? 0,
        };
        await token.ResetAsync(cancellationToken).ConfigureAwait(false);
        await token.InitializeTokenAsync(state.TokenLabel, state.UserPin, state.SoPin, cancellationToken).ConfigureAwait(false);
        await token.GenerateKeyAsync(state.TokenLabel, state.UserPin, state.KeyLabel, KeyId, cancellationToken).ConfigureAwait(false);
        await VerifyAsync(state, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sandbox thales_luna created SoftHSM2 token {TokenLabel} with the non-extractable AES-256 key {KeyLabel} "
            + "in {TokenDirectory}", state.TokenLabel, state.KeyLabel, token.TokenDirectory);
        return state;
    }

    /// <summary>
    /// Checks, with <c>pkcs11-tool</c> as a separate client, that the token holds exactly one secret key labelled
    /// <see cref="LunaState.KeyLabel"/>, that it is an AES-256 key that is sensitive, not extractable and usable to
    /// encrypt, decrypt, wrap and unwrap, and that it is private (not listed without logging in).
    /// </summary>
    /// <exception cref="ToolException">It is not so; the message says what is wrong.</exception>
    public async Task VerifyAsync(LunaState state, CancellationToken cancellationToken)
    {
        var listing = await token.ListSecretKeysAsync(state.TokenLabel, state.UserPin, cancellationToken).ConfigureAwait(false);
        if (listing.Status != KeyListingStatus.Listed)
        {
            throw new ToolException($"Checking the L1 key failed: {listing.Problem}");
        }

        var keys = listing.Keys.Where(key => key.Label == state.KeyLabel).ToList();
        if (keys.Count != 1)
        {
            throw new ToolException($"Token {state.TokenLabel} holds {keys.Count} secret keys labelled {state.KeyLabel}, not exactly one: "
                + $"the Luna plugin could not tell which is the L1 key. Delete the token directory {token.TokenDirectory} (or "
                + "start without PersistState) to get a fresh token");
        }

        if (keys[0].Problem() is { } problem)
        {
            throw new ToolException($"The key {state.KeyLabel} on token {state.TokenLabel} is not a proper L1 key: {problem}");
        }

        var anonymous = await token.ListSecretKeysAsync(state.TokenLabel, userPin: null, cancellationToken).ConfigureAwait(false);
        if (anonymous.Status != KeyListingStatus.Listed)
        {
            throw new ToolException($"Checking the L1 key without logging in failed: {anonymous.Problem}");
        }

        if (anonymous.Keys.Any(key => key.Label == state.KeyLabel))
        {
            throw new ToolException($"The key {state.KeyLabel} on token {state.TokenLabel} is not private: it is visible without logging in");
        }
    }

    private async Task<bool> TryReuseAsync(LunaState previous, CancellationToken cancellationToken)
    {
        if (!token.Exists)
        {
            logger.LogWarning("Sandbox thales_luna: the token directory {TokenDirectory} is gone; creating a fresh token with new "
                + "PINs (re-import the sandbox Luna keystore from the new manifest)", token.TokenDirectory);
            return false;
        }

        // The file names the token directory by its absolute path: rewrite it in case the data directory moved.
        await token.WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
        var listing = await token.ListSecretKeysAsync(previous.TokenLabel, previous.UserPin, cancellationToken).ConfigureAwait(false);
        switch (listing.Status)
        {
            case KeyListingStatus.NoToken:
                logger.LogWarning("Sandbox thales_luna: no token {TokenLabel} in {TokenDirectory}; creating a fresh token with new PINs",
                    previous.TokenLabel, token.TokenDirectory);
                return false;
            case KeyListingStatus.WrongPin:
                logger.LogWarning("Sandbox thales_luna: token {TokenLabel} refuses the stored PIN; creating a fresh token with new PINs",
                    previous.TokenLabel);
                return false;
            case KeyListingStatus.Failed:
                throw new ToolException($"Reusing token {previous.TokenLabel} failed: {listing.Problem}");
        }

        if (!listing.Keys.Any(key => key.Label == previous.KeyLabel))
        {
            logger.LogWarning("Sandbox thales_luna: token {TokenLabel} has no key {KeyLabel} any more; generating a new one "
                + "(data wrapped under the old key cannot be unwrapped)", previous.TokenLabel, previous.KeyLabel);
            await token.GenerateKeyAsync(previous.TokenLabel, previous.UserPin, previous.KeyLabel, KeyId, cancellationToken)
                .ConfigureAwait(false);
        }

        await VerifyAsync(previous, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sandbox thales_luna reuses SoftHSM2 token {TokenLabel} and its key {KeyLabel} from {TokenDirectory}",
            previous.TokenLabel, previous.KeyLabel, token.TokenDirectory);
        return true;
    }
}

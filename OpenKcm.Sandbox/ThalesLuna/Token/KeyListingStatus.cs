namespace OpenKcm.Sandbox.ThalesLuna.Token;

internal enum KeyListingStatus
{
    /// <summary>The tool listed the keys.</summary>
    Listed,

    /// <summary>No token with that label in the token directory.</summary>
    NoToken,

    /// <summary>The token refused the PIN (CKR_PIN_INCORRECT).</summary>
    WrongPin,

    /// <summary>Anything else; see <see cref="KeyListing.Problem"/>.</summary>
    Failed,
}

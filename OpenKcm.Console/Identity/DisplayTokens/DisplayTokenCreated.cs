namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// The result of <see cref="DisplayTokenService.CreateAsync"/>: the stored token and the token text, which exists
/// only here (it is stored as a hash). Show it once and drop it. <see cref="ToString"/> redacts it.
/// </summary>
public sealed class DisplayTokenCreated(DisplayTokenInfo info, string token)
{
    public DisplayTokenInfo Info { get; } = info;

    /// <summary><c>okd_</c> + 32 random bytes, base64url without padding (47 characters).</summary>
    public string Token { get; } = token;

    public override string ToString() => $"DisplayTokenCreated {{ Id = {Info.Id}, Name = {Info.Name}, Token = *** }}";
}

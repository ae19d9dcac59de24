namespace OpenKcm.Console.Identity.DisplayTokens;

public enum DisplayTokenState
{
    Active,
    Expired,
    Revoked,
}

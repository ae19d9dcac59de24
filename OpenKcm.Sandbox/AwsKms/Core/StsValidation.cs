namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>The STS model's constraints on AssumeRole parameters (botocore sts/2011-06-15 service-2.json).</summary>
internal static class StsValidation
{
    /// <summary>2..1224 characters of <c>[\w+=,.@:/-]</c>.</summary>
    public static bool IsExternalId(string value) => value.Length is >= 2 and <= 1224 && value.All(c => IsWord(c) || "+=,.@:/-".Contains(c));

    /// <summary>2..64 characters of <c>[\w+=,.@-]</c>.</summary>
    public static bool IsSessionName(string value) => value.Length is >= 2 and <= 64 && value.All(c => IsWord(c) || "+=,.@-".Contains(c));

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}

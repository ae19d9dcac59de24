namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>The KMS model's constraints and AWS's "1 validation error detected" messages.</summary>
internal static class KmsValidation
{
    public static bool IsAliasName(string value) =>
        value.Length is > 6 and <= 256 && value.StartsWith("alias/", StringComparison.Ordinal)
        && value.Skip(6).All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-');

    public static string NotNull(string member) =>
        $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null";

    public static string MinLength(string member, int min) =>
        $"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}";

    public static string MaxLength(string member, int max) =>
        $"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}";

    public static string Range(string member, object value, int min, int max) => value is IComparable c && c.CompareTo(min) < 0
        ? $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"
        : $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}";

    public static string Enum(string member, string value, IEnumerable<string> allowed) =>
        $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]";
}

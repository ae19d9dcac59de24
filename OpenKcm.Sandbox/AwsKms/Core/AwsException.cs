namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>
/// An error answered to the client as AWS would: <paramref name="code"/> is the <c>__type</c> (KMS) or
/// <c>Error/Code</c> (STS). The message never holds a secret; a <c>null</c> message is left out (AWS sends
/// InvalidCiphertextException without one).
/// </summary>
internal sealed class AwsException(int statusCode, string code, string? message) : Exception(message ?? code)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public string? AwsMessage { get; } = message;

    /// <summary>STS: <c>Sender</c> for 4xx, <c>Receiver</c> for 5xx.</summary>
    public string FaultType => StatusCode >= 500 ? "Receiver" : "Sender";

    public static AwsException Kms(string code, string? message) => new(400, code, message);

    public static AwsException KmsValidation(string message) => new(400, "ValidationException", message);

    public static AwsException StsValidation(string message) => new(400, "ValidationError", message);
}

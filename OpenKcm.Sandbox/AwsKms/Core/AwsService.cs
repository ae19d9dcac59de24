namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>The two services behind the one listener; each has its own error dialect.</summary>
internal enum AwsService
{
    /// <summary>KMS: JSON 1.1, <c>{"__type","message"}</c> errors, client errors 400.</summary>
    Kms,

    /// <summary>STS: query protocol, XML <c>ErrorResponse</c>, authentication errors 403.</summary>
    Sts,
}

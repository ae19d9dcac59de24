namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>An alias such as <c>alias/openkcm-l1</c> and the key it points to.</summary>
internal sealed record KmsAlias(string AliasName, string AliasArn, string TargetKeyId, DateTimeOffset CreationDate);

namespace OpenKcm.Providers.OpenBao;

/// <summary>Why an AppRole login was refused, as far as the server's answers tell.</summary>
internal enum LoginFailure
{
    /// <summary>The server does not know the role_id.</summary>
    UnknownRoleId,

    /// <summary>The role_id is known but the secret_id is wrong, expired or used up.</summary>
    InvalidSecretId,

    /// <summary>No AppRole auth method at auth/approle/.</summary>
    AppRoleNotEnabled,

    /// <summary>Some other refusal (CIDR restriction, ...); the server's message says which.</summary>
    Other,
}

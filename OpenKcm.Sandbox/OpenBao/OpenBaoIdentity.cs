namespace OpenKcm.Sandbox.OpenBao;

/// <summary>What the seed hands out and the manifest names: a root token and the seeded role's role ID and secret ID.</summary>
internal sealed record OpenBaoIdentity(string RootToken, string RoleId, string SecretId);

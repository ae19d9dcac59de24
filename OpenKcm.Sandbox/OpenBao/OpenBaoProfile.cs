namespace OpenKcm.Sandbox.OpenBao;

/// <summary>Which server the emulator presents itself as. The API is the same; health and token formats differ.</summary>
public enum OpenBaoProfile
{
    /// <summary>OpenBao 2.6.2: health answers 200/429/501/503 only, tokens look like <c>s.…</c>.</summary>
    OpenBao,

    /// <summary>HashiCorp Vault 1.19: health also knows 472/473 and <c>perfstandbyok</c>, tokens look like <c>hvs.…</c>.</summary>
    Vault,
}

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// What the sandbox must remember to reuse its token: the PINs it chose, the labels and the NTLS port last used.
/// Stored as <see cref="LunaStateFile"/>. <see cref="ToString"/> leaves the PINs out.
/// </summary>
internal sealed record LunaState
{
    public const int CurrentFormat = 1;

    public required int Format { get; init; }

    public required string TokenLabel { get; init; }

    public required string KeyLabel { get; init; }

    /// <summary>The crypto-officer (CKU_USER) PIN: what the console and <c>pkcs11-tool --login</c> use.</summary>
    public required string UserPin { get; init; }

    /// <summary>The security officer's PIN; only <c>softhsm2-util</c> / <c>--login-type so</c> need it.</summary>
    public required string SoPin { get; init; }

    /// <summary>The appliances' port last listened on; 0 before the first start.</summary>
    public int NtlsPort { get; init; }

    public override string ToString() =>
        $"LunaState {{ Format = {Format}, TokenLabel = {TokenLabel}, KeyLabel = {KeyLabel}, NtlsPort = {NtlsPort}, PINs redacted }}";
}

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// What the sandbox must remember to reuse its token: the PINs it chose, the labels and the NTLS port last used.
/// Stored as a <see cref="StateFile{TState}"/>. <see cref="ToString"/> leaves the PINs out.
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

    /// <summary>Returns <paramref name="state"/> if the sandbox can use it.</summary>
    /// <exception cref="InvalidDataException">It cannot; the message says why without quoting a value.</exception>
    internal static LunaState Validated(LunaState state)
    {
        var reason = state switch
        {
            { Format: not CurrentFormat } => $"format {state.Format} is not {CurrentFormat}",
            { UserPin.Length: < 4 } or { SoPin.Length: < 4 } => "a PIN is shorter than SoftHSM's minimum of 4 characters",
            { NtlsPort: < 0 or > 65535 } => "ntls_port is out of range",
            _ => null,
        };
        return reason is null ? state : throw new InvalidDataException(reason);
    }

    public override string ToString() =>
        $"LunaState {{ Format = {Format}, TokenLabel = {TokenLabel}, KeyLabel = {KeyLabel}, NtlsPort = {NtlsPort}, PINs redacted }}";
}

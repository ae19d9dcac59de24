using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// "Verify L1 key usage": proves an active keystore can do what OpenKCM needs from it, end to end, by generating a
/// fresh 256-bit L2 tenant key, wrapping it under the keystore's L1 key and unwrapping it again through the
/// <see cref="KeyOperationRouter"/> (so the operations count for health, retries and audit like any other), then
/// comparing the result with the original in constant time. The L2 key is random, used for nothing else and cleared
/// afterwards. Each run is audited once as <see cref="AuditActions.KeystoreVerifyL1"/> (on top of the router's two
/// operation records). Singleton; thread-safe.
/// </summary>
public sealed class L1KeyVerifier(KeyOperationRouter router, KeystoreService keystores, AuditLog audit, TimeProvider timeProvider)
{
    /// <summary>Length of the generated L2 tenant key (AES-256).</summary>
    public const int L2KeyBytes = 32;

    /// <summary>Runs the verification. Keystore-side failures are results, not exceptions.</summary>
    /// <exception cref="KeystoreCommandException">The keystore does not exist.</exception>
    /// <exception cref="AuditWriteException">The result could not be audited (the result is then not reported).</exception>
    public async Task<L1Verification> VerifyAsync(Guid keystoreId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var keystore = await keystores.GetAsync(keystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreCommandException(KeystoreCommandError.KeystoreNotFound, $"Keystore {keystoreId} does not exist.");

        var l2 = RandomNumberGenerator.GetBytes(L2KeyBytes);
        var associatedData = Encoding.UTF8.GetBytes($"openkcm:l1-verification:{keystore.Id:N}:{Guid.NewGuid():N}");
        byte[]? unwrapped = null;
        var wrapTime = TimeSpan.Zero;
        var unwrapTime = TimeSpan.Zero;
        L1Verification result;
        try
        {
            var started = timeProvider.GetTimestamp();
            var wrapped = await router.WrapAsync(keystore.Id, l2, associatedData, actor, cancellationToken).ConfigureAwait(false);
            wrapTime = timeProvider.GetElapsedTime(started);
            started = timeProvider.GetTimestamp();
            unwrapped = await router.UnwrapAsync(keystore.Id, wrapped, associatedData, actor, cancellationToken).ConfigureAwait(false);
            unwrapTime = timeProvider.GetElapsedTime(started);
            result = CryptographicOperations.FixedTimeEquals(l2, unwrapped)
                ? new L1Verification(true, wrapTime, unwrapTime, wrapped.Length,
                    $"A fresh {L2KeyBytes * 8}-bit tenant key was wrapped under the L1 key of {keystore.Name} ({wrapped.Length} bytes) and unwrapped to the same key.")
                : new L1Verification(false, wrapTime, unwrapTime, wrapped.Length,
                    $"{keystore.Name} unwrapped the tenant key to different bytes: the keystore does not return what it wrapped. Do not use it until this is explained.");
        }
        catch (KeystoreNotActiveException)
        {
            result = new L1Verification(false, wrapTime, unwrapTime, 0,
                $"{keystore.Name} is not active ({keystore.State}); only an active keystore serves key operations.");
        }
        catch (KeystoreException e)
        {
            result = new L1Verification(false, wrapTime, unwrapTime, 0,
                $"{(wrapTime == TimeSpan.Zero ? "Wrapping" : "Unwrapping")} the tenant key failed: {e.Message}") { ErrorKind = e.Kind };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(l2);
            if (unwrapped is not null)
            {
                CryptographicOperations.ZeroMemory(unwrapped);
            }
        }

        await audit.AppendAsync(new AuditRecord
        {
            Action = AuditActions.KeystoreVerifyL1,
            Actor = actor,
            Outcome = result.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
            TenantId = keystore.TenantId,
            KeystoreId = keystore.Id,
            Detail = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"l2_bits={L2KeyBytes * 8} wrapped_bytes={result.WrappedLength} wrap_ms={wrapTime.TotalMilliseconds:0.#} unwrap_ms={unwrapTime.TotalMilliseconds:0.#}{(result.ErrorKind is { } kind ? $" error={kind}" : "")}"),
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }
}

/// <summary>The result of <see cref="L1KeyVerifier.VerifyAsync"/>.</summary>
/// <param name="Succeeded">The tenant key came back unchanged.</param>
/// <param name="WrapDuration">Wall time of the wrap (including retries); zero when it did not run.</param>
/// <param name="UnwrapDuration">Wall time of the unwrap; zero when it did not run.</param>
/// <param name="WrappedLength">Size of the wrapped key in bytes; 0 when wrapping failed.</param>
/// <param name="Message">What happened, in plain words (no key material).</param>
[DebuggerDisplay("{Succeeded} {Message}")]
public sealed record L1Verification(bool Succeeded, TimeSpan WrapDuration, TimeSpan UnwrapDuration, int WrappedLength, string Message)
{
    /// <summary>For keystore-side failures: the typed error kind.</summary>
    public KeystoreErrorKind? ErrorKind { get; init; }
}

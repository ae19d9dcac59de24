namespace OpenKcm.Core.Plugins;

/// <summary>
/// Something in a keystore's configuration that stops working at a known time: a client certificate, a CA
/// certificate, a credential with a fixed lifetime. Reported by <see cref="IKeystorePlugin.DescribeExpiries"/>; the
/// alert centre warns ahead of <see cref="NotAfter"/>. Immutable; never carries secret material.
/// </summary>
/// <param name="What">For people and as part of the item's identity, e.g. "client certificate" or "CA certificate 2".</param>
/// <param name="NotAfter">The instant it stops being valid (UTC).</param>
/// <param name="Subject">Which one, e.g. the certificate subject; null when there is nothing useful to name.</param>
public sealed record ExpiryItem(string What, DateTimeOffset NotAfter, string? Subject = null);

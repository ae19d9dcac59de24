using OpenKcm.Sandbox.ThalesLuna.Token;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

/// <summary>The parser of <c>pkcs11-tool --list-objects</c> on outputs printed by OpenSC 0.23 against SoftHSM 2.6.</summary>
public sealed class SecretKeyListingTests
{
    private const string Listing = """
        Secret Key Object; AES length 32
          label:      openkcm-l1
          ID:         4c31
          Usage:      encrypt, decrypt, verify, wrap, unwrap
          Access:     sensitive, always sensitive, never extractable, local
        Secret Key Object; AES length 32
          VALUE:      5ecd42b0a18ad221b602c0426c6c736d1a0ef463fe3df5f290b91d5b9766794f
          label:      ext-key
          ID:         01
          Usage:      encrypt, decrypt, verify, wrap, unwrap
          Access:     extractable, local
        Secret Key Object; AES length 16
          label:      small
          Usage:      encrypt, decrypt
          Access:     sensitive, local

        """;

    [Fact]
    public void Parse_ReadsEveryKeyWithItsAttributesButNeverItsValue()
    {
        var keys = SecretKeyListing.Parse(Listing);

        Assert.Equal(["openkcm-l1", "ext-key", "small"], keys.Select(k => k.Label));
        Assert.Equal(["4c31", "01", null], keys.Select(k => k.Id));
        Assert.Equal([false, true, false], keys.Select(k => k.ValueReadable));
        Assert.Equal(["AES length 32", "AES length 32", "AES length 16"], keys.Select(k => k.Type));
        Assert.Equal(["always sensitive", "local", "never extractable", "sensitive"], keys[0].Access.Order(StringComparer.Ordinal));
        Assert.Equal(["extractable", "local"], keys[1].Access.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("5ecd42b0", keys[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_OfAProperL1Key_IsNone()
    {
        Assert.Null(SecretKeyListing.Parse(Listing)[0].Problem());
    }

    [Fact]
    public void Problem_OfAnExtractableKey_SaysItCanLeaveTheToken()
    {
        var problem = SecretKeyListing.Parse(Listing)[1].Problem();

        Assert.Equal("it is extractable (its value can leave the token); it is not sensitive", problem);
    }

    [Fact]
    public void Problem_OfAKeyThatWasOnceExtractable_NamesEveryShortcoming()
    {
        var problem = SecretKeyListing.Parse(Listing)[2].Problem();

        Assert.Equal("it is \"AES length 16\", not an AES-256 key (\"AES length 32\"); it was extractable at some time "
            + "(CKA_NEVER_EXTRACTABLE is false), so copies may exist outside the token; it lacks the usage wrap, unwrap", problem);
    }

    [Fact]
    public void Parse_OfNoObjects_IsEmpty()
    {
        Assert.Empty(SecretKeyListing.Parse(""));
        Assert.Empty(SecretKeyListing.Parse("Using slot 0 with a present token (0x1)\n"));
    }
}

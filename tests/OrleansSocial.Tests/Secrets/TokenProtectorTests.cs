using OrleansSocial.Grains.Secrets;

namespace OrleansSocial.Tests.Secrets;

public sealed class TokenProtectorTests
{
    private const string Token = "EAAPageTokenThatMustNeverLeak0123456789";

    private static TokenProtector Protector(string ring) => new(TokenKeyRing.Parse(ring));

    [Fact]
    public void A_token_round_trips_for_its_own_tenant_and_channel_and_is_not_stored_in_clear()
    {
        var protector = Protector(TokenKeyRing.NewEntry("k1"));

        var stored = protector.Protect(Token, "acme", "fb-100");

        Assert.DoesNotContain(Token, stored.ToString());
        Assert.Equal("k1", stored.KeyId);
        Assert.Equal(Token, protector.Unprotect(stored, "acme", "fb-100"));
    }

    [Fact]
    public void Each_encryption_uses_a_fresh_nonce()
    {
        var protector = Protector(TokenKeyRing.NewEntry("k1"));
        Assert.NotEqual(protector.Protect(Token, "acme", "fb-100").Ciphertext, protector.Protect(Token, "acme", "fb-100").Ciphertext);
    }

    [Theory]
    [InlineData("acme", "fb-101")]
    [InlineData("other", "fb-100")]
    public void A_ciphertext_copied_to_another_channel_or_tenant_does_not_decrypt(string tenant, string channel)
    {
        var protector = Protector(TokenKeyRing.NewEntry("k1"));
        var stored = protector.Protect(Token, "acme", "fb-100");

        var error = Assert.Throws<TokenProtectionException>(() => protector.Unprotect(stored, tenant, channel));
        Assert.DoesNotContain(Token, error.ToString());
    }

    [Fact]
    public void Tampering_is_detected()
    {
        var protector = Protector(TokenKeyRing.NewEntry("k1"));
        var stored = protector.Protect(Token, "acme", "fb-100");
        var flipped = stored.Ciphertext[..^1] + (stored.Ciphertext[^1] == 'A' ? 'B' : 'A');

        Assert.Throws<TokenProtectionException>(() => protector.Unprotect(stored with { Ciphertext = flipped }, "acme", "fb-100"));
        Assert.Throws<TokenProtectionException>(() => protector.Unprotect(stored with { Tag = stored.Nonce + "AAAA" }, "acme", "fb-100"));
    }

    [Fact]
    public void Keys_rotate_old_ciphertexts_still_decrypt_and_are_flagged_for_re_encryption()
    {
        var old = TokenKeyRing.NewEntry("k1");
        var stored = Protector(old).Protect(Token, "acme", "fb-100");

        var rotated = Protector($"{TokenKeyRing.NewEntry("k2")};{old}");

        Assert.Equal(Token, rotated.Unprotect(stored, "acme", "fb-100"));
        Assert.True(rotated.NeedsRotation(stored));
        Assert.Equal("k2", rotated.Protect(Token, "acme", "fb-100").KeyId);
        Assert.Throws<TokenProtectionException>(() => Protector(TokenKeyRing.NewEntry("k3")).Unprotect(stored, "acme", "fb-100"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nokeyid")]
    [InlineData("k1:not-base64!")]
    [InlineData("k1:AAAA")]
    public void A_malformed_key_ring_is_refused_without_echoing_key_material(string ring)
    {
        var error = Assert.Throws<FormatException>(() => TokenKeyRing.Parse(ring));
        if (ring.Contains(':'))
        {
            Assert.DoesNotContain(ring[(ring.IndexOf(':') + 1)..], error.Message);
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace OrleansSocial.Webhooks;

/// <summary>
/// Where webhooks may not go (server-side request forgery): loopback, private, carrier-grade NAT,
/// link-local (cloud metadata at 169.254.169.254 among them), multicast, broadcast and unspecified
/// addresses, IPv6 unique-local and site-local ones, and IPv4 written inside IPv6 (mapped, compatible,
/// translated, NAT64, 6to4 and ISATAP forms are judged by the IPv4 they carry; Teredo is refused whole). Checked when an endpoint is
/// registered and again for every address a name resolves to when a delivery connects.
/// </summary>
public static class WebhookAddresses
{
    /// <summary>Why this address is refused, or null when a webhook may connect to it.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Refusal(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified (0.0.0.0/8) address",
                10 => "a private (10.0.0.0/8) address",
                127 => "a loopback address",
                100 when b[1] >= 64 && b[1] < 128 => "a carrier-grade NAT (100.64.0.0/10) address",
                169 when b[1] == 254 => "a link-local address (cloud metadata lives there)",
                172 when b[1] >= 16 && b[1] < 32 => "a private (172.16.0.0/12) address",
                192 when b[1] == 168 => "a private (192.168.0.0/16) address",
                192 when b[1] == 0 && b[2] == 0 => "an IETF protocol (192.0.0.0/24) address",
                198 when b[1] is 18 or 19 => "a benchmarking (198.18.0.0/15) address",
                >= 224 and < 240 => "a multicast address",
                >= 240 => "a reserved or broadcast address",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            if (IPAddress.IsLoopback(address))
            {
                return "a loopback address";
            }

            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
            {
                return "an unspecified address";
            }

            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
            {
                return address.IsIPv6Multicast ? "a multicast address" : "a link-local or site-local address";
            }

            if ((b[0] & 0xfe) == 0xfc)
            {
                return "a unique-local (fc00::/7) address";
            }

            // ::a.b.c.d (IPv4-compatible, deprecated but still routed to the IPv4 address by some stacks)
            // and ::ffff:0:a.b.c.d (IPv4-translated, SIIT) carry an IPv4 address in the last four bytes.
            if (b[..10].All(x => x == 0) && ((b[10] == 0 && b[11] == 0) || (b[10] == 0xff && b[11] == 0xff)))
            {
                return Refusal(new IPAddress(b[12..16]));
            }

            if (b[..8].All(x => x == 0) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
            {
                return Refusal(new IPAddress(b[12..16]));
            }

            // Teredo (2001::/32) tunnels to an IPv4 address the outside picks: refused whole, as no receiver needs it.
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
            {
                return "a Teredo tunnel (2001::/32) address";
            }

            // 64:ff9b:1::/48 is NAT64 for a local network (RFC 8215): refused whole.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
            {
                return "a local-use NAT64 (64:ff9b:1::/48) address";
            }

            // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) carry an IPv4 address: judged by it.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
            {
                return Refusal(new IPAddress(b[12..16]));
            }

            // ISATAP interface identifiers (::0:5efe:a.b.c.d, ::200:5efe:a.b.c.d) carry one too.
            if ((b[8] & 0xfd) == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe)
            {
                return Refusal(new IPAddress(b[12..16]));
            }

            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return Refusal(new IPAddress(b[2..6]));
            }

            return null;
        }

        return "not an IP address";
    }

    /// <summary>
    /// The URL's shape: absolute, https (http too when private networks are allowed, for development),
    /// no credentials in it, at most 2,048 characters. Null when acceptable, else why not.
    /// </summary>
    public static string? UrlProblem(string url, bool allowPrivateNetworks)
    {
        if (url.Length > 2_048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return "url must be an absolute URL of at most 2,048 characters.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivateNetworks && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "url must be https.";
        }

        return uri.UserInfo.Length > 0 ? "url must not carry credentials." : null;
    }
}

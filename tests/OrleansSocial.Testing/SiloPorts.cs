using System.Net;
using System.Net.Sockets;

namespace OrleansSocial.Testing;

/// <summary>
/// Orleans silo ports for test and benchmark hosts. HTTP listeners bind port 0 and read the port
/// back; an Orleans silo cannot (its address, port included, is part of its identity before it
/// listens). So silo ports come from this allocator: each number at most once per process, taken
/// from below Linux's ephemeral range (32768-60999) so the kernel never hands it to an outgoing
/// connection meanwhile, skipping any port something already listens on.
/// </summary>
public static class SiloPorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static int _next = First + Random.Shared.Next(0, 4_000);

    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var port = First + ((Interlocked.Increment(ref _next) - First) % (Last - First));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using OrleansSocial.Host.Configuration;

namespace OrleansSocial.Host.Hosting;

/// <summary>
/// Two hosts on one machine must not share a silo port. A port set in configuration that is taken
/// stops this process at start with a message naming <c>Orleans:SiloPort</c>; the default port
/// taken in the embedded profile (a second host started for a try) is replaced by a free one, logged.
/// </summary>
internal sealed partial class SiloPortCheck(IConfiguration configuration, ILogger<SiloPortCheck> logger) : IPostConfigureOptions<ClusterSettings>
{
    private readonly Lock _gate = new();
    private int? _replacement;

    public void PostConfigure(string? name, ClusterSettings settings)
    {
        lock (_gate)
        {
            Check(settings);
        }
    }

    /// <summary>Options are built more than once (IOptions, monitors, validation): the first decision stands for all of them.</summary>
    private void Check(ClusterSettings settings)
    {
        if (_replacement is { } chosen)
        {
            settings.SiloPort = chosen;
            return;
        }

        if (IsFree(settings.SiloPort))
        {
            return;
        }

        if (configuration[$"{ClusterSettings.Section}:SiloPort"] is not null || settings.IsCluster)
        {
            throw new OptionsValidationException(ClusterSettings.Section, typeof(ClusterSettings),
                [$"Orleans:SiloPort {settings.SiloPort} is already in use on this machine (another silo?): set Orleans:SiloPort to a free port."]);
        }

        var taken = settings.SiloPort;
        settings.SiloPort = (_replacement = AnyFreePort()).Value;
        LogMoved(logger, taken, settings.SiloPort);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int AnyFreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning,
        Message = "Orleans:SiloPort {Taken} is in use on this machine (another host?); this embedded silo uses port {Port} instead. Set Orleans:SiloPort to choose")]
    private static partial void LogMoved(ILogger logger, int taken, int port);
}

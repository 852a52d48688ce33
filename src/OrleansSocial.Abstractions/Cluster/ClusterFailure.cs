namespace OrleansSocial.Cluster;

/// <summary>
/// Which failures of a grain call mean "the cluster is changing under this request" (a silo died,
/// is shutting down or did not answer in time) rather than a fault of the request or of our code:
/// the front answers them with 503, and a grain does not take them as a verdict on its data.
/// </summary>
public static class ClusterFailure
{
    /// <summary>A failed silo is declared dead and replaced in about 3 s with the shipped membership settings.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>A short name of the failure for the log, or null when it is not a cluster failure.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        SiloUnavailableException => "silo unavailable",
        OrleansMessageRejectionException => "message rejected",
        GatewayTooBusyException => "gateway too busy",
        Orleans.Runtime.Messaging.ConnectionFailedException => "connection failed",
        TimeoutException => "response timed out",
        _ => null,
    };
}

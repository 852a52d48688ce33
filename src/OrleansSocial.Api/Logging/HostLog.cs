namespace OrleansSocial.Api.Logging;

/// <summary>Log events of the host itself. Paths and ids only: never a key or a token.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning,
        Message = "Generated an operator key: read it from {KeyFile} (owner-only), then delete that file; the host keeps only its hash in {HashFile}")]
    public static partial void OperatorKeyGenerated(ILogger logger, string keyFile, string hashFile);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Operator key: using the hash in {HashFile}")]
    public static partial void OperatorKeyLoaded(ILogger logger, string hashFile);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information,
        Message = "Operator key: using Operator:ApiKey from configuration")]
    public static partial void OperatorKeyConfigured(ILogger logger);


    [LoggerMessage(EventId = 120, Level = LogLevel.Information,
        Message = "Request rejected: {Status} {Title} on {Method} {Path}")]
    public static partial void RequestRejected(ILogger logger, int status, string title, string method, string path);

    [LoggerMessage(EventId = 121, Level = LogLevel.Error,
        Message = "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning,
        Message = "The cluster did not answer {Method} {Path} ({Failure}); answered 503")]
    public static partial void ClusterUnavailable(ILogger logger, string method, string path, string failure);
}

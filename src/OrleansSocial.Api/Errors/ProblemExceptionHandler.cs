using Microsoft.AspNetCore.Diagnostics;
using OrleansSocial.Api.Logging;

namespace OrleansSocial.Api.Errors;

/// <summary>
/// The one place an exception becomes a response: request-reading failures become
/// 400/413/415 with a detail naming what was wrong; anything else a 500 that says nothing
/// about internals.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title, detail;
        if (exception is BadHttpRequestException badRequest)
        {
            status = badRequest.StatusCode;
            (title, detail) = BadRequestDescriber.Describe(badRequest);
            HostLog.RequestRejected(logger, status, title, httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            status = StatusCodes.Status500InternalServerError;
            title = "Unexpected error";
            detail = "The server could not complete the request. Quote the traceId when reporting it.";
            HostLog.UnhandledError(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OrleansSocial.Api.Logging;
using OrleansSocial.Cluster;
using OrleansSocial.Tenancy;

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
        if (exception is DomainException domain)
        {
            return await WriteDomainProblemAsync(httpContext, domain);
        }

        if (ClusterFailure.Describe(exception) is { } failure)
        {
            return await WriteClusterUnavailableAsync(httpContext, exception, failure);
        }

        int status;
        string title, detail;
        string? field = null;
        if (exception is BadHttpRequestException badRequest)
        {
            status = badRequest.StatusCode;
            (title, detail) = BadRequestDescriber.Describe(badRequest);
            field = BadRequestDescriber.Field(badRequest);
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
        var written = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            written.Extensions["field"] = field;
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = written });
    }

    /// <summary>
    /// A grain call the cluster could not complete: its silo died or is being replaced. The
    /// survivors take its grains over within seconds, so the client is told to come back, and — since
    /// a write may have been done before the failure — to read back rather than repeat blindly.
    /// </summary>
    private async ValueTask<bool> WriteClusterUnavailableAsync(HttpContext httpContext, Exception exception, string failure)
    {
        var seconds = ClusterFailure.RetryAfterSeconds;
        var isRead = HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Cluster briefly unavailable",
            Type = ProblemTypes.ClusterUnavailable,
            Detail = isRead
                ? "A server of the cluster failed while answering; another takes over within seconds. Try again after the Retry-After interval."
                : "A server of the cluster failed while answering; another takes over within seconds. The change may or may not have been made: read it back (or repeat it with the same Idempotency-Key where the route takes one) after the Retry-After interval.",
            Extensions = { ["retryAfter"] = seconds },
        };
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        HostLog.ClusterUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, failure);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>A refusal raised by a grain: its kind decides status and type, its subject names the field, limit or permission.</summary>
    private async ValueTask<bool> WriteDomainProblemAsync(HttpContext httpContext, DomainException exception)
    {
        var (status, title, type, subjectName) = exception.Kind switch
        {
            ProblemKind.Invalid => (StatusCodes.Status400BadRequest, "Invalid request", null, "field"),
            ProblemKind.NotFound => (StatusCodes.Status404NotFound, "Not found", null, null),
            ProblemKind.Conflict => (StatusCodes.Status409Conflict, "Conflict", null, null),
            ProblemKind.Forbidden => (StatusCodes.Status403Forbidden, "Permission required", null, "permission"),
            ProblemKind.PlanLimit => (StatusCodes.Status403Forbidden, "Plan limit reached", ProblemTypes.PlanLimit, "limit"),
            ProblemKind.Suspended => (StatusCodes.Status403Forbidden, "Tenant suspended", ProblemTypes.TenantSuspended, null),
            ProblemKind.Throttled => (StatusCodes.Status429TooManyRequests, "Too many syncs", ProblemTypes.Base + "sync-throttled", null),
            ProblemKind.Unprocessable => (StatusCodes.Status422UnprocessableEntity, "Unprocessable request", null, "field"),
            ProblemKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Storage refused by the deployment", ProblemTypes.Base + "storage-privilege", "privilege"),
            ProblemKind.Moving => (StatusCodes.Status503ServiceUnavailable, "Tenant read-only while it moves", ProblemTypes.TenantMoving, null),
            ProblemKind.Busy => (StatusCodes.Status503ServiceUnavailable, "Storage busy", ProblemTypes.StorageBusy, null),
            ProblemKind.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "Changed since read", null, null),
            ProblemKind.Upstream => (StatusCodes.Status502BadGateway, "Facebook error", null, null),
            ProblemKind.BudgetSpent => (StatusCodes.Status503ServiceUnavailable, "Facebook rate budget spent", ProblemTypes.Base + "graph-budget", null),
            _ => (StatusCodes.Status500InternalServerError, "Operation failed and was rolled back", ProblemTypes.ProvisioningFailed, "step"),
        };

        var problem = new ProblemDetails { Status = status, Title = title, Detail = exception.Message, Type = type };
        if (subjectName is not null && exception.Subject is not null)
        {
            problem.Extensions[subjectName] = exception.Subject;
        }

        if (exception.Kind == ProblemKind.Throttled && int.TryParse(exception.Subject, out var seconds))
        {
            problem.Extensions["timeToReset"] = seconds;
            httpContext.Response.Headers.RetryAfter = exception.Subject;
        }

        if (exception.Kind is ProblemKind.Moving or ProblemKind.Busy or ProblemKind.BudgetSpent && int.TryParse(exception.Subject, out var wait))
        {
            problem.Extensions["retryAfter"] = wait;
            httpContext.Response.Headers.RetryAfter = exception.Subject;
        }

        if (exception.Kind == ProblemKind.PreconditionFailed && exception.Subject is { } currentTag)
        {
            // The version it is now, in the body: the exception handler strips ETag headers from error answers.
            problem.Extensions["currentETag"] = currentTag;
        }

        HostLog.RequestRejected(logger, status, title, httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
    }
}

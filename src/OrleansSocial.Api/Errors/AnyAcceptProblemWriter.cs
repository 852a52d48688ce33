using Microsoft.Extensions.Options;

namespace OrleansSocial.Api.Errors;

/// <summary>
/// The last problem writer: ASP.NET Core's own writes only for clients that accept JSON, and a
/// browser asking for <c>text/html</c> (the dashboard, say) then got an empty 500 instead of its 401
/// or 429. This one writes the same problem body as <c>application/problem+json</c> whatever was asked.
/// </summary>
internal sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json"));
    }
}

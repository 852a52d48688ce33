namespace OrleansSocial.Tenancy;

[GenerateSerializer, Alias("OrleansSocial.ProblemKind")]
public enum ProblemKind
{
    /// <summary>400; Subject names the field.</summary>
    Invalid,

    /// <summary>404; Subject names what was not found.</summary>
    NotFound,

    /// <summary>409.</summary>
    Conflict,

    /// <summary>403; Subject names the missing permission.</summary>
    Forbidden,

    /// <summary>403 plan-limit; Subject names the limit.</summary>
    PlanLimit,

    /// <summary>403 tenant-suspended.</summary>
    Suspended,

    /// <summary>500/503 from a step that failed and was rolled back; Subject names the step.</summary>
    StepFailed,

    /// <summary>429; Subject holds the seconds until the budget refills.</summary>
    Throttled,

    /// <summary>422: the request conflicts with an earlier one (an idempotency key reused with another body).</summary>
    Unprocessable,

    /// <summary>503: the deployment cannot do this now (its database user lacks a privilege, say); Subject names what is missing.</summary>
    Unavailable,

    /// <summary>503: the tenant is read-only for a moment while its database moves to another server; Subject holds the seconds to wait.</summary>
    Moving,

    /// <summary>503: the tenant's database had no capacity for the request right now; Subject holds the seconds to wait.</summary>
    Busy,

    /// <summary>412: the object changed since the version the request names in If-Match; Subject holds the current ETag.</summary>
    PreconditionFailed,

    /// <summary>502: Facebook failed in a way the caller cannot fix by changing the request.</summary>
    Upstream,

    /// <summary>503: the app's Graph rate budget is spent for now; Subject holds the seconds until it regains.</summary>
    BudgetSpent,
}

/// <summary>A refusal a client can act on, raised in grains and turned into problem details by the front.</summary>
[GenerateSerializer, Alias("OrleansSocial.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException()
    {
    }

    public DomainException(ProblemKind kind, string detail, string? subject = null)
        : base(detail)
    {
        Kind = kind;
        Subject = subject;
    }

    [Id(0)]
    public ProblemKind Kind { get; private set; }

    [Id(1)]
    public string? Subject { get; private set; }

    public static DomainException Invalid(string field, string detail) => new(ProblemKind.Invalid, detail, field);

    /// <summary>The tenant's database is moving; the write was not done.</summary>
    public static DomainException Moving(TimeSpan retryAfter) => new(
        ProblemKind.Moving,
        "The tenant is read-only for a moment while its data moves to another database server; nothing was changed. Try again after the Retry-After interval.",
        Seconds(retryAfter));

    /// <summary>The database had no capacity for the request; what it asked was not done.</summary>
    public static DomainException Busy(TimeSpan retryAfter) => new(
        ProblemKind.Busy,
        "The tenant's database is too busy to answer right now; the request was not done. Try again after the Retry-After interval.",
        Seconds(retryAfter));

    public static DomainException NotFound(string what, string detail) => new(ProblemKind.NotFound, detail, what);

    public static DomainException Upstream(string detail) => new(ProblemKind.Upstream, detail);

    /// <summary>Facebook's rate budget for the app is spent; nothing was done.</summary>
    public static DomainException BudgetSpent(TimeSpan retryAfter) => new(
        ProblemKind.BudgetSpent,
        "Facebook's rate budget for this app is spent for the moment; nothing was done. Try again after the Retry-After interval.",
        Seconds(retryAfter));

    private static string Seconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

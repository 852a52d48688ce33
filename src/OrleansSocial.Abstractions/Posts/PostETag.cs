using OrleansSocial.Tenancy;

namespace OrleansSocial.Posts;

/// <summary>
/// A post's entity tag (a strong one, made of its write counter) and the If-Match check: a change
/// applies only to the version its sender read, so an approver approves what they reviewed.
/// </summary>
public static class PostETag
{
    public static string Of(PostView post) => $"\"v{post.Version}\"";

    /// <summary>
    /// Refuses (412) when <paramref name="ifMatch"/> names no current tag. Absent: no condition; <c>*</c>:
    /// any version. Weak tags never match (If-Match compares strongly, RFC 9110 13.1.1).
    /// </summary>
    public static void Require(PostView post, string? ifMatch)
    {
        if (ifMatch is null)
        {
            return;
        }

        var current = Of(post);
        foreach (var tag in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (tag == "*" || tag == current)
            {
                return;
            }
        }

        throw new DomainException(ProblemKind.PreconditionFailed,
            $"The post changed since the version named in If-Match ({ifMatch}); it is now {current}. Read it again and decide on what it says now.", current);
    }
}

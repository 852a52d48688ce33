using OrleansSocial.Budget;
using OrleansSocial.Channels;
using OrleansSocial.Graph;
using OrleansSocial.Grains.Budget;
using OrleansSocial.Posts;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// What one step of publishing works with: the channel's account and token, what to publish, the
/// Graph client behind the shared rate budget (at publishing priority), and <see cref="Record"/>,
/// which writes the attempt through before the step goes on.
/// </summary>
public sealed record PublishContext(
    GraphClient Graph,
    BudgetGate Gate,
    PublishingAccess Access,
    PublicationContent Content,
    PublishingOptions Options,
    TimeProvider Time,
    Func<PublicationAttempt, Task> Record)
{
    public string Token => Access.Token ?? throw new InvalidOperationException("Publishing needs an active channel's token.");

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>One Graph call, asked of the rate budget first and reported to it after.</summary>
    public async Task<T> CallAsync<T>(Func<Task<GraphResult<T>>> call) =>
        (await Gate.CallAsync(BudgetPriority.Publishing, 1, call, r => r.Usage)).Value;

    /// <summary>
    /// The first item of an edge (read at publishing priority) that <paramref name="match"/> accepts:
    /// how an unknown outcome is read back.
    /// </summary>
    public async Task<T?> FindAsync<T>(IAsyncEnumerable<GraphPage<T>> pages, Func<T, bool> match) where T : class
    {
        await foreach (var page in Gate.PagesAsync(BudgetPriority.Publishing, pages))
        {
            if (page.Items.FirstOrDefault(match) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>A read after the fact (a permalink, say): its failure costs that detail, never the post.</summary>
    public async Task<T?> OptionalAsync<T>(Func<Task<GraphResult<T>>> call) where T : class
    {
        try
        {
            return await CallAsync(call);
        }
        catch (Exception exception) when (exception is GraphException or BudgetDeferredException)
        {
            return null;
        }
    }

    /// <summary>Writes the attempt through, then hands it back for the next step.</summary>
    public async Task<PublicationAttempt> SaveAsync(PublicationAttempt attempt)
    {
        await Record(attempt);
        return attempt;
    }
}

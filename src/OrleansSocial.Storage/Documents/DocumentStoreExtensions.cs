namespace OrleansSocial.Storage.Documents;

public static class DocumentStoreExtensions
{
    /// <summary>Creates the database unless it exists; another process creating it first is not an error.</summary>
    public static async Task EnsureDatabaseAsync(this IDocumentStore store, string name, CancellationToken cancellationToken)
    {
        if (await store.DatabaseExistsAsync(name, cancellationToken))
        {
            return;
        }

        try
        {
            await store.CreateDatabaseAsync(name, cancellationToken);
        }
        catch (DatabaseAlreadyExistsException)
        {
            // Another silo created it first.
        }
    }
}

using MongoDB.Driver;
using OrleansSocial.Storage.Documents;

namespace OrleansSocial.Storage.Mongo;

/// <summary>Turns MongoDB's "not authorized" (code 13) into an error that names the privilege the deployment must grant.</summary>
public static class MongoPrivileges
{
    public const int Unauthorized = 13;

    public static Task RequireAsync(string privilege, string database, Func<Task> call) =>
        RequireAsync(privilege, database, async () =>
        {
            await call();
            return true;
        });

    public static async Task<T> RequireAsync<T>(string privilege, string database, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (MongoCommandException exception) when (exception.Code == Unauthorized)
        {
            throw new StoragePrivilegeException(privilege, database, exception);
        }
    }
}

using System.Net;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using OrleansSocial.Storage.Documents;
using OrleansSocial.Storage.Mongo;
using OrleansSocial.Tests.Infrastructure;

namespace OrleansSocial.Tests.Storage;

/// <summary>What the MongoDB engine decides about connections, privileges and existence, tested without a server.</summary>
public sealed class MongoDeploymentTests
{
    [Fact]
    public void Connection_strings_without_timeouts_get_ones_inside_the_grain_call_timeout()
    {
        var settings = MongoConnection.Settings("mongodb://db.example:27017/?replicaSet=rs0");

        Assert.Equal(TimeSpan.FromSeconds(5), settings.ServerSelectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.SocketTimeout);
        Assert.True(settings.ServerSelectionTimeout + settings.SocketTimeout < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Timeouts_the_connection_string_names_are_kept()
    {
        var settings = MongoConnection.Settings("mongodb://db.example/?serverSelectionTimeoutMS=1500&socketTimeoutMS=9000&connectTimeoutMS=700");

        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.ServerSelectionTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(9000), settings.SocketTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(700), settings.ConnectTimeout);
    }

    [Fact]
    public async Task A_missing_privilege_is_named_not_a_bare_failure()
    {
        var unauthorized = new MongoCommandException(
            new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("db.example", 27017))),
            "Command dropDatabase failed: not authorized on tenant_acme to execute command.",
            new BsonDocument("dropDatabase", 1),
            new BsonDocument { ["ok"] = 0, ["code"] = 13, ["codeName"] = "Unauthorized", ["errmsg"] = "not authorized on tenant_acme to execute command { dropDatabase: 1 }" });

        var error = await Assert.ThrowsAsync<StoragePrivilegeException>(() => MongoPrivileges.RequireAsync("dropDatabase", "tenant_acme", () => Task.FromException(unauthorized)));

        Assert.Equal("dropDatabase", error.Privilege);
        Assert.Contains("'dropDatabase'", error.Message);
        Assert.Same(unauthorized, error.InnerException);
    }

    [Fact]
    public async Task Other_command_errors_pass_through_unchanged()
    {
        var other = new MongoCommandException(new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("db.example", 27017))), "boom",
            new BsonDocument("ping", 1), new BsonDocument { ["ok"] = 0, ["code"] = 11600, ["codeName"] = "InterruptedAtShutdown" });

        Assert.Same(other, await Assert.ThrowsAsync<MongoCommandException>(() => MongoPrivileges.RequireAsync("listCollections", "x", () => Task.FromException(other))));
    }

    [Fact]
    public void What_a_silo_knows_of_a_database_expires_and_a_drop_forgets_it_at_once()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var cache = new ExistenceCache(clock, TimeSpan.FromSeconds(30));

        cache.Confirm("tenant_a");
        Assert.True(cache.IsFresh("tenant_a"));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(cache.IsFresh("tenant_a"));

        cache.Confirm("tenant_a");
        cache.Forget("tenant_a");
        Assert.False(cache.IsFresh("tenant_a"));
    }
}

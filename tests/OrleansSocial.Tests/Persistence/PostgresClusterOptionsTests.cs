using Npgsql;
using Orleans.Hosting;

namespace OrleansSocial.Tests.Persistence;

/// <summary>Orleans' providers prepare their statements and skip the reset on return, unless the operator's connection string says otherwise.</summary>
public sealed class PostgresClusterOptionsTests
{
    [Fact]
    public void The_providers_prepare_their_statements_and_keep_everything_else_the_operator_set()
    {
        var options = new PostgresClusterOptions { ConnectionString = "Host=db.internal;Database=orleans;Username=silo;Password=pw;Maximum Pool Size=10" };

        var used = new NpgsqlConnectionStringBuilder(options.ProviderConnectionString);

        Assert.True(used.MaxAutoPrepare > 0);
        Assert.True(used.NoResetOnClose);
        Assert.Equal(("db.internal", "orleans", "silo", "pw", 10), (used.Host, used.Database, used.Username, used.Password, used.MaxPoolSize));
    }

    [Fact]
    public void An_operator_who_set_preparation_or_the_reset_keeps_their_choice()
    {
        var options = new PostgresClusterOptions { ConnectionString = "Host=db.internal;Database=orleans;Max Auto Prepare=0;No Reset On Close=false" };

        var used = new NpgsqlConnectionStringBuilder(options.ProviderConnectionString);

        Assert.Equal(0, used.MaxAutoPrepare);
        Assert.False(used.NoResetOnClose);
    }
}

using OrleansSocial.Benchmarks;

// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- tenancy [--tenants 1000] [--seconds 10] [--concurrency 16]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- emulator [--seconds 10] [--concurrency 16]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- sync [--tenants 1000] [--channels 10] [--concurrency 32] [--emulator-process]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- sync-cost [--tenants 200] [--concurrency 16]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- publishing [--tenants 1000] [--posts 10] [--concurrency 32]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- publishing-cluster [--tenants 1000] [--posts 10] [--concurrency 32] [--isolation database|schema]
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- schema-tenants [--tenants 10000] [--concurrency 16]   (provisioning rate, disk per empty tenant, server connections of two silos serving them all)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- tier-move [--tenants 10000] [--concurrency 8]   (--tenants: the tenant's documents; schema -> database under reads and writes)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- scheduled-cluster [--tenants 100] [--channels 100] [--seconds 300] [--kill]   (--seconds: the window the first ticks are staggered over)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- failover [--tenants 200] [--seconds 3] [--probe 00:00:05] [--load 32] [--set Orleans:Membership:Key=Value]   (--seconds: rounds; --probe: Orleans:Membership:ProbeTimeout instead of the shipped one; --load: workers reading and writing through the live silos throughout)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- calendar   (tenants of 100, 10,000 and 100,000 posts: page latency, memory under 200 concurrent reads, a neighbour's latency)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- webhooks --tenants 10000 [--concurrency 16]   (--tenants: the number of events)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- inbox [--tenants 10000] [--concurrency 4] [--one-silo]   (--tenants: comment events; Meta's webhooks on one silo and on two with a kill, and an inbox page at 100,000 conversations)
// dotnet run -c Release --project benchmarks/OrleansSocial.Benchmarks -- insights [--posts 5000]   (best-times requests on two years of history, and the CPU the tally adds to a daily sync)
var options = BenchmarkOptions.Parse(args);
Console.WriteLine(MachineInfo.Describe());
switch (options.Name)
{
    case "tenancy":
        await TenancyBenchmark.RunAsync(options);
        return 0;
    case "sync":
        await SyncBenchmark.RunAsync(options, args.Contains("--emulator-process"));
        return 0;
    case "sync-cost":
        await SyncCostBenchmark.RunAsync(options);
        return 0;
    case "publishing":
        await PublishingBenchmark.RunAsync(options);
        return 0;
    case "publishing-cluster":
        await PublishingClusterBenchmark.RunAsync(options);
        return 0;
    case "scheduled-cluster":
        await ScheduledClusterBenchmark.RunAsync(options, args.Contains("--kill"));
        return 0;
    case "failover":
        await FailoverBenchmark.RunAsync(
            options,
            Array.IndexOf(args, "--probe") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null,
            Array.IndexOf(args, "--load") is var l and >= 0 && l + 1 < args.Length ? int.Parse(args[l + 1], System.Globalization.CultureInfo.InvariantCulture) : 0,
            args.Zip(args.Skip(1)).Where(pair => pair.First == "--set").Select(pair => pair.Second.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]));
        return 0;
    case "calendar":
        await CalendarBenchmark.RunAsync(options);
        return 0;
    case "webhooks":
        await WebhookBenchmark.RunAsync(options);
        return 0;
    case "inbox":
        await InboxBenchmark.RunAsync(options, args.Contains("--one-silo"));
        return 0;
    case "insights":
        await InsightsBenchmark.RunAsync(options);
        return 0;
    case "schema-tenants":
        await SchemaTenantsBenchmark.RunAsync(options);
        return 0;
    case "tier-move":
        await TierMoveBenchmark.RunAsync(options);
        return 0;
    case "emulator":
        await EmulatorBenchmark.RunAsync(options);
        return 0;
    default:
        Console.Error.WriteLine("usage: tenancy [--tenants N] [--seconds S] [--concurrency C] | emulator [--seconds S] [--concurrency C] | sync [--tenants N] [--channels M] [--concurrency C] | sync-cost [--tenants N] [--concurrency C] | publishing[-cluster] [--tenants N] [--posts P] [--concurrency C] | scheduled-cluster [--tenants N] [--channels M] [--seconds WINDOW] [--kill] | failover [--tenants N] [--seconds ROUNDS] [--probe TIMESPAN] [--load WORKERS] [--set KEY=VALUE] | webhooks [--tenants EVENTS] [--concurrency C] | calendar");
        return 2;
}

using Microsoft.Extensions.Options;
using OrleansSocial.Grains.Channels.Scheduling;
using OrleansSocial.Grains.Concurrency;

namespace OrleansSocial.Grains.Channels.Sync;

/// <summary>
/// How many sync runs one silo works on at once (<see cref="SyncOptions.MaxConcurrentRuns"/>). Ten
/// thousand manual syncs asked within a minute otherwise hold ten thousand Graph responses and
/// tenant connections together, and the memory the GC grows for that burst stays with the process.
/// </summary>
public sealed class SyncSlots(IOptions<SyncOptions> options) : SiloSlots(options.Value.MaxConcurrentRuns);

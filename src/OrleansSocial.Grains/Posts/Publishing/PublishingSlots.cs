using Microsoft.Extensions.Options;
using OrleansSocial.Grains.Concurrency;

namespace OrleansSocial.Grains.Posts.Publishing;

/// <summary>
/// How many publishing steps one silo runs at once (<see cref="PublishingOptions.MaxConcurrentSteps"/>).
/// Ten thousand posts due in the same minute would otherwise each open their tenant's database and a
/// Graph connection at the same instant; past a few hundred that exhausts file descriptors and memory
/// maps before it gets anything published sooner.
/// </summary>
public sealed class PublishingSlots(IOptions<PublishingOptions> options) : SiloSlots(options.Value.MaxConcurrentSteps);

namespace OrleansSocial.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: what a test waits on instead of sleeping.</summary>
internal static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"condition not met within {timeout}\n{diagnostics?.Invoke()}");
    }
}

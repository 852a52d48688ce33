namespace OrleansSocial.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: what a test waits on instead of sleeping.</summary>
internal static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        if (!await WithinAsync(condition, timeout))
        {
            throw new TimeoutException($"condition not met within {timeout}\n{diagnostics?.Invoke()}");
        }
    }

    /// <summary>Whether the condition came to hold before the deadline, for a test that goes on either way.</summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary>Reads until the value read is done, and returns it; the last value read goes in the timeout's message.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value;
        do
        {
            value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"no good value within {timeout}; the last one: {value}");
    }
}

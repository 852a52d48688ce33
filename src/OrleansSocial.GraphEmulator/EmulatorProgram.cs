namespace OrleansSocial.GraphEmulator;

/// <summary>Runs the emulator alone: <c>dotnet run --project src/OrleansSocial.GraphEmulator -- --urls http://127.0.0.1:5100</c>.</summary>
public static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGraphEmulator();
        var app = builder.Build();
        app.MapGraphEmulator();
        await app.RunAsync();
    }
}

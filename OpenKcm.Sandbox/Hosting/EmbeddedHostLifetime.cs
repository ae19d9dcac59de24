using Microsoft.Extensions.Hosting;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// The lifetime of an app embedded in another process. The default console lifetime would stop each emulator on its
/// own at Ctrl+C or SIGTERM, before its owner (the console's hosted service, the standalone program) stops things in
/// order, and would print "Application started. Press Ctrl+C to shut down" once per emulator.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

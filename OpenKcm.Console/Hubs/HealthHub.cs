using System.Threading.Channels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Hubs;

/// <summary>
/// <c>/hubs/health</c>: the health feed for programs and other consumers (contract: docs/health-hub.md). Open to any
/// signed-in role (cookie) and to read-only display tokens (<c>Authorization: Bearer okd_…</c> or the display cookie).
/// </summary>
[Authorize(Policy = Policies.ViewNoc)]
public sealed class HealthHub(HealthHubStreams streams) : Hub
{
    /// <summary>
    /// Streams a <c>snapshot</c> message, then <c>changes</c> batches as the feed publishes them and a
    /// <c>heartbeat</c> every few seconds. Ends when the caller cancels the stream or disconnects, or (with an error)
    /// when the caller's display token is revoked or expires.
    /// </summary>
    public async Task<ChannelReader<HealthHubMessage>> Watch(CancellationToken cancellationToken)
    {
        var context = Context;
        return await streams.OpenAsync(context.User ?? new System.Security.Claims.ClaimsPrincipal(), context.Abort, cancellationToken);
    }
}

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>What a TCP connect to one appliance's NTLS port found.</summary>
/// <param name="Address">The configured address.</param>
/// <param name="Reachable">Whether the connection was accepted.</param>
/// <param name="Latency">Time to connect (or to give up).</param>
/// <param name="Problem">For unreachable appliances: refused, timed out, name not resolved...</param>
internal sealed record ApplianceStatus(string Address, bool Reachable, TimeSpan Latency, string? Problem)
{
    /// <summary>online (first reachable), standby (other reachable) or offline, as the seed's <c>hsm_appliances</c>.</summary>
    public static IReadOnlyList<string> Roles(IReadOnlyList<ApplianceStatus> statuses)
    {
        var onlineSeen = false;
        var roles = new List<string>(statuses.Count);
        foreach (var s in statuses)
        {
            if (!s.Reachable)
            {
                roles.Add("offline");
            }
            else if (!onlineSeen)
            {
                onlineSeen = true;
                roles.Add("online");
            }
            else
            {
                roles.Add("standby");
            }
        }

        return roles;
    }
}

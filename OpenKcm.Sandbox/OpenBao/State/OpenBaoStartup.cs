using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>What an emulator starts from, seeded or restored: the core, the seeded identity, and the port last listened on (0: none).</summary>
internal sealed record OpenBaoStartup(VaultCore Core, OpenBaoIdentity Identity, int LastPort);

using System.Diagnostics;
using System.Runtime.Versioning;
using OpenKcm.Sandbox.Hosting;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.Hosting;

[UnsupportedOSPlatform("windows")]
public sealed class PortOwnerTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public void Describe_PortHeldByThisProcess_SaysThisProcess()
    {
        var blocker = LoopbackPorts.Occupy();
        try
        {
            Assert.Equal("this process", PortOwner.Describe(blocker.Port()));
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public void Describe_PortNobodyListensOn_SaysAnotherProcess()
    {
        Assert.Equal("another process", PortOwner.Describe(LoopbackPorts.Free()));
    }

    [Fact]
    public async Task Describe_PortHeldByAnotherProcess_NamesItsPidAndCommand()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: apt-get install python3");
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList =
            {
                "-c",
                "import socket, sys\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\n"
                + "print(s.getsockname()[1], flush=True)\nsys.stdin.read()",
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var holder = Process.Start(start)!;
        try
        {
            var port = int.Parse((await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!,
                System.Globalization.CultureInfo.InvariantCulture);

            Assert.Equal($"pid {holder.Id} \"python3\"", PortOwner.Describe(port));
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync();
        }
    }
}

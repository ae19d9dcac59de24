using System.Net;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class VaultProfileHealthTests : SandboxTest
{
    protected override OpenBaoProfile Profile => OpenBaoProfile.Vault;

    [Fact]
    public async Task Health_VaultProfile_ReportsVaultVersionAndEnterpriseFlag()
    {
        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.StartsWith("1.", reply.Body!["version"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(reply.Body["enterprise"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("", 473)]
    [InlineData("?perfstandbyok=true", 200)]
    [InlineData("?performancestandbycode=299", 299)]
    [InlineData("?standbyok=true", 473)]
    public async Task Health_PerformanceStandby_Answers473UnlessOverridden(string query, int expected)
    {
        OpenBao.Node.PerformanceStandby = true;

        var reply = await Api.GetAsync("v1/sys/health" + query);

        Assert.Equal(expected, (int)reply.Status);
        Assert.True(reply.Body!["performance_standby"]!.GetValue<bool>());
        Assert.True(reply.Body["standby"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("", 472)]
    [InlineData("?drsecondarycode=200", 200)]
    public async Task Health_DrSecondary_Answers472UnlessOverridden(string query, int expected)
    {
        OpenBao.Node.DrSecondary = true;

        var reply = await Api.GetAsync("v1/sys/health" + query);

        Assert.Equal(expected, (int)reply.Status);
        Assert.Equal("secondary", reply.Body!["replication_dr_mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_VaultProfile_IssuesHvsTokens()
    {
        var token = await LoginSeedAsync();

        Assert.StartsWith("hvs.", token, StringComparison.Ordinal);
    }
}

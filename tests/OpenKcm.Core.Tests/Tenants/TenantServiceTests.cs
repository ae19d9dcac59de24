using OpenKcm.Core.Audit;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Tenants;

public sealed class TenantServiceTests : IAsyncLifetime
{
    private CoreTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await CoreTestContext.CreateAsync();

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task EnsureDefaultAsync_CalledAgain_KeepsOneDefaultTenant()
    {
        var again = await _ctx.Tenants.EnsureDefaultAsync(CancellationToken.None);

        var all = await _ctx.Tenants.ListAsync(CancellationToken.None);
        Assert.Equal(_ctx.DefaultTenant.Id, again.Id);
        Assert.Equal([Tenant.DefaultName], all.Select(t => t.Name));
        var created = Assert.Single(await _ctx.AuditEntriesAsync(AuditActions.TenantCreate));
        Assert.Equal(Actor.System.Id, created.ActorId);
    }

    [Fact]
    public async Task AddAsync_ValidName_AddsAndAuditsIt()
    {
        var result = await _ctx.Tenants.AddAsync("acme-corp", CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["acme-corp", "default"], (await _ctx.Tenants.ListAsync(CancellationToken.None)).Select(t => t.Name));
        var entry = (await _ctx.AuditEntriesAsync(AuditActions.TenantCreate))[0];
        Assert.Equal((CoreTestContext.Admin.Id, result.Value.Id, AuditOutcome.Success), (entry.ActorId, entry.TenantId, entry.Outcome));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("Acme")]
    [InlineData("1acme")]
    [InlineData("acme-")]
    [InlineData("acme corp")]
    public async Task AddAsync_InvalidName_ReturnsAnErrorAndSavesNothing(string name)
    {
        var result = await _ctx.Tenants.AddAsync(name, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(TenantService.NameField, Assert.Single(result.Errors).Field);
        Assert.Single(await _ctx.Tenants.ListAsync(CancellationToken.None));
        Assert.Equal(AuditOutcome.Failure, (await _ctx.AuditEntriesAsync(AuditActions.TenantCreate))[0].Outcome);
    }

    [Fact]
    public async Task AddAsync_ExistingName_ReturnsAnError()
    {
        await _ctx.Tenants.AddAsync("acme", CoreTestContext.Admin, CancellationToken.None);

        var result = await _ctx.Tenants.AddAsync("acme", CoreTestContext.Admin, CancellationToken.None);

        Assert.Contains("already exists", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(2, (await _ctx.Tenants.ListAsync(CancellationToken.None)).Count);
    }
}

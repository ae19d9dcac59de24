using OpenKcm.Core.Audit;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Audit;

public sealed class AuditLogTests : IAsyncLifetime
{
    private static readonly Guid s_tenantA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid s_tenantB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");
    private static readonly Guid s_keystore = Guid.Parse("cccccccc-0000-0000-0000-000000000003");
    private CoreTestContext _ctx = null!;

    public async Task InitializeAsync() => _ctx = await CoreTestContext.CreateAsync(migrate: true);

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task AppendAsync_SeveralEntries_FormAnIntactChain()
    {
        var before = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        var entries = await AppendManyAsync(5);

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);
        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(before.EntriesChecked + 5, result.EntriesChecked);
        Assert.Equal(entries[^1].Hash, result.LastHash);
        Assert.All(entries.Skip(1).Zip(entries), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
    }

    [Fact]
    public async Task AppendAsync_Completed_EntryIsReadableFromTheDatabase()
    {
        var entry = await _ctx.Audit.AppendAsync(Record("keystore.create"), CancellationToken.None);

        await using var db = _ctx.Db.CreateDbContext();
        var stored = db.AuditEntries.Single(e => e.Sequence == entry.Sequence);
        Assert.Equal((entry.Hash, entry.Timestamp), (stored.Hash, stored.Timestamp));
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentCallers_AllDurableInOneGaplessChain()
    {
        var before = await _ctx.CountAsync("audit_entries");

        var entries = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => _ctx.Audit.AppendAsync(Record("keystore.operation", detail: $"op {i}"), CancellationToken.None))));

        Assert.Equal(before + 200, await _ctx.CountAsync("audit_entries"));
        Assert.Equal(200, entries.Select(e => e.Sequence).Distinct().Count());
        Assert.True((await _ctx.Audit.VerifyAsync(CancellationToken.None)).IsIntact);
    }

    [Fact]
    public async Task VerifyAsync_EditedEntry_ReportsThatEntry()
    {
        var entries = await AppendManyAsync(4);
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET detail = 'nothing happened' WHERE sequence = $s", ("$s", entries[1].Sequence));
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET outcome = 'Success' WHERE sequence = $s", ("$s", entries[3].Sequence));

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        Assert.False(result.IsIntact);
        Assert.Equal(entries[1].Sequence, result.FirstBrokenSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_DeletedEntry_ReportsTheMissingSequence()
    {
        var entries = await AppendManyAsync(4);
        await _ctx.ExecuteSqlAsync("DELETE FROM audit_entries WHERE sequence = $s", ("$s", entries[1].Sequence));

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        Assert.False(result.IsIntact);
        Assert.Equal(entries[1].Sequence, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_DeletedAndRenumberedEntry_ReportsTheBrokenLink()
    {
        var entries = await AppendManyAsync(4);
        await _ctx.ExecuteSqlAsync("DELETE FROM audit_entries WHERE sequence = $s", ("$s", entries[1].Sequence));
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET sequence = sequence - 1 WHERE sequence > $s", ("$s", entries[1].Sequence));

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        Assert.False(result.IsIntact);
        Assert.Equal(entries[1].Sequence, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task VerifyAsync_SwappedEntries_ReportsTheFirstSwappedPosition()
    {
        var entries = await AppendManyAsync(4);
        var (a, b) = (entries[1].Sequence, entries[2].Sequence);
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET sequence = -1 WHERE sequence = $a", ("$a", a));
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET sequence = $a WHERE sequence = $b", ("$a", a), ("$b", b));
        await _ctx.ExecuteSqlAsync("UPDATE audit_entries SET sequence = $b WHERE sequence = -1", ("$b", b));

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        Assert.False(result.IsIntact);
        Assert.Equal(a, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task VerifyAsync_DeletedTail_ReportsTheEntriesThisProcessWrote()
    {
        var entries = await AppendManyAsync(3);
        await _ctx.ExecuteSqlAsync("DELETE FROM audit_entries WHERE sequence = $s", ("$s", entries[^1].Sequence));

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);

        Assert.False(result.IsIntact);
        Assert.Equal(entries[^1].Sequence, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task AppendAsync_WriteFails_ThrowsSoTheCallerFails()
    {
        await _ctx.BreakAuditWritesAsync();

        var ex = await Assert.ThrowsAsync<AuditWriteException>(() =>
            _ctx.Audit.AppendAsync(Record("keystore.activate"), CancellationToken.None));

        Assert.Contains("was not performed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_AfterAFailedWrite_ContinuesTheChainWithoutAGap()
    {
        await AppendManyAsync(2);
        await _ctx.BreakAuditWritesAsync();
        await Assert.ThrowsAsync<AuditWriteException>(() => _ctx.Audit.AppendAsync(Record("x.y"), CancellationToken.None));
        await _ctx.RepairAuditWritesAsync();

        await AppendManyAsync(2);

        var result = await _ctx.Audit.VerifyAsync(CancellationToken.None);
        Assert.True(result.IsIntact, result.Problem);
    }

    [Fact]
    public async Task AppendAsync_AfterStop_Throws()
    {
        await _ctx.Audit.StopAsync(CancellationToken.None);

        await Assert.ThrowsAsync<AuditWriteException>(() => _ctx.Audit.AppendAsync(Record("x.y"), CancellationToken.None));
    }

    [Fact]
    public async Task StopAsync_EntriesQueued_WritesThemBeforeReturning()
    {
        var before = await _ctx.CountAsync("audit_entries");
        var pending = Enumerable.Range(0, 50).Select(_ => _ctx.Audit.AppendAsync(Record("x.y"), CancellationToken.None)).ToList();

        await _ctx.Audit.StopAsync(CancellationToken.None);

        Assert.Equal(before + 50, await _ctx.CountAsync("audit_entries"));
        // Callers are resumed asynchronously (RunContinuationsAsynchronously), so their tasks may finish just after
        // StopAsync returns; what StopAsync guarantees is the write above, and every caller then sees success.
        var entries = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(50, entries.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task QueryAsync_Filters_MatchOnlyWhatWasAsked()
    {
        var start = _ctx.Time.GetUtcNow();
        await _ctx.Audit.AppendAsync(Record("keystore.create", tenant: s_tenantA, keystore: s_keystore), CancellationToken.None);
        _ctx.Time.Advance(TimeSpan.FromHours(1));
        await _ctx.Audit.AppendAsync(Record("keystore.activate", tenant: s_tenantA, keystore: s_keystore, outcome: AuditOutcome.Denied), CancellationToken.None);
        _ctx.Time.Advance(TimeSpan.FromHours(1));
        await _ctx.Audit.AppendAsync(Record("secret.use", tenant: s_tenantB, actor: new("user-2", "bob@example.com")), CancellationToken.None);

        Assert.Equal(["keystore.activate", "keystore.create"], await ActionsAsync(new AuditQuery { ActionPrefix = "keystore." }));
        Assert.Equal(["secret.use"], await ActionsAsync(new AuditQuery { TenantId = s_tenantB }));
        Assert.Equal(["keystore.activate"], await ActionsAsync(new AuditQuery { Outcome = AuditOutcome.Denied }));
        Assert.Equal(["secret.use"], await ActionsAsync(new AuditQuery { Actor = "BOB@" }));
        Assert.Equal(["secret.use"], await ActionsAsync(new AuditQuery { Actor = "user-2" }));
        Assert.Equal(2, (await ActionsAsync(new AuditQuery { KeystoreId = s_keystore })).Count);
        Assert.Equal(["keystore.activate"], await ActionsAsync(new AuditQuery { From = start.AddMinutes(30), To = start.AddMinutes(90) }));

        var page = await _ctx.Audit.QueryAsync(new AuditQuery { TenantId = s_tenantA, Skip = 1, Take = 1 }, CancellationToken.None);
        Assert.Equal(2, page.TotalCount);
        Assert.Equal("keystore.create", Assert.Single(page.Entries).Action);
    }

    [Fact]
    public async Task QueryAsync_ActorWithLikeWildcards_MatchesLiterally()
    {
        await _ctx.Audit.AppendAsync(Record("x.y", actor: new("u", "a_b@example.com")), CancellationToken.None);
        await _ctx.Audit.AppendAsync(Record("x.z", actor: new("v", "axb@example.com")), CancellationToken.None);

        Assert.Equal(["x.y"], await ActionsAsync(new AuditQuery { Actor = "a_b" }));
    }

    private async Task<List<string>> ActionsAsync(AuditQuery query) =>
        [.. (await _ctx.Audit.QueryAsync(query with { Take = AuditQuery.MaxTake }, CancellationToken.None)).Entries
            .Where(e => e.Action != "tenant.create")
            .Select(e => e.Action)];

    private async Task<List<AuditEntry>> AppendManyAsync(int count)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(await _ctx.Audit.AppendAsync(
                Record("keystore.update", tenant: s_tenantA, outcome: i % 2 == 0 ? AuditOutcome.Success : AuditOutcome.Failure, detail: $"change {i}"),
                CancellationToken.None));
        }

        return entries;
    }

    private static AuditRecord Record(
        string action, Guid? tenant = null, Guid? keystore = null, AuditOutcome outcome = AuditOutcome.Success, string? detail = null,
        Actor? actor = null) => new()
    {
        Action = action,
        Actor = actor ?? CoreTestContext.Admin,
        Outcome = outcome,
        TenantId = tenant,
        KeystoreId = keystore,
        Detail = detail,
    };
}

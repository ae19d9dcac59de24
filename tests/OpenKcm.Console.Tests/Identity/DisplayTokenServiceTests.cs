using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Data;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Tests.Identity;

public sealed class DisplayTokenServiceTests : DisplayTokenTestContext
{
    [Fact]
    public async Task CreateAsync_ValidRequest_ReturnsOkdTokenStoredOnlyAsItsSha256()
    {
        var (created, error) = await Tokens.CreateAsync("NOC wall 1", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);

        Assert.Null(error);
        Assert.NotNull(created);
        Assert.Matches("^okd_[A-Za-z0-9_-]{43}$", created.Token);
        await using var scope = Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>().DisplayTokens.SingleAsync();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(created.Token))), row.TokenHash);
        Assert.Equal("NOC wall 1", row.Name);
        Assert.Equal(AdminName, row.CreatedByName);
        Assert.Equal(Time.GetUtcNow().AddDays(90), row.ExpiresAt);
        Assert.DoesNotContain(created.Token, created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_ValidRequest_TokenTextIsInNoFileOfTheDataDirectory()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        await Tokens.ValidateAsync(created!.Token, CancellationToken.None);
        await Tokens.UseRecordedAsync();
        await Audit.StopAsync(CancellationToken.None);

        var needle = Encoding.UTF8.GetBytes(created.Token);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} contains the token");
        }
    }

    [Theory]
    [InlineData("", 30, "Give the token a name")]
    [InlineData("   ", 30, "Give the token a name")]
    [InlineData("wall", 366, "at most one year")]
    [InlineData("wall", 0, "in the future")]
    [InlineData("wall", -1, "in the future")]
    public async Task CreateAsync_BadInput_RefusedWithAReasonAndNothingStored(string name, int days, string reason)
    {
        var (created, error) = await Tokens.CreateAsync(name, Time.GetUtcNow().AddDays(days), Admin, CancellationToken.None);

        Assert.Null(created);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Empty(await Tokens.ListAsync(CancellationToken.None));
        Assert.Empty(await AuditEntriesAsync("display_token."));
    }

    [Fact]
    public async Task CreateAsync_NameTooLong_Refused()
    {
        var (created, error) = await Tokens.CreateAsync(new string('x', DisplayTokenService.MaxNameLength + 1), Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);

        Assert.Null(created);
        Assert.Contains("at most 100 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_CreatedToken_ReturnsItsInfo()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);

        var info = await Tokens.ValidateAsync(created!.Token, CancellationToken.None);

        Assert.Equal(created.Info.Id, info?.Id);
        Assert.Equal(created.Info.Id, (await Tokens.FindActiveAsync(created.Info.Id, CancellationToken.None))?.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("okd_")]
    [InlineData("okd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("okd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+A")]
    [InlineData("Bearer okd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ValidateAsync_UnknownOrMalformed_ReturnsNull(string? token)
    {
        await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);

        Assert.Null(await Tokens.ValidateAsync(token, CancellationToken.None));
    }

    [Fact]
    public async Task ValidateAsync_AfterExpiry_ReturnsNullAndTheListSaysExpired()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(2), Admin, CancellationToken.None);
        Assert.NotNull(await Tokens.ValidateAsync(created!.Token, CancellationToken.None));

        Time.Advance(TimeSpan.FromDays(2));

        Assert.Null(await Tokens.ValidateAsync(created.Token, CancellationToken.None));
        Assert.Null(await Tokens.FindActiveAsync(created.Info.Id, CancellationToken.None));
        Assert.Equal(DisplayTokenState.Expired, (await Tokens.ListAsync(CancellationToken.None)).Single().StateAt(Time.GetUtcNow()));
    }

    [Fact]
    public async Task RevokeAsync_CachedActiveToken_RefusedAtOnceAndRevokedRaised()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);
        Assert.NotNull(await Tokens.ValidateAsync(created!.Token, CancellationToken.None));
        var raised = new List<Guid>();
        Tokens.Revoked += raised.Add;

        Assert.True(await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None));

        // No clock advance: the cached "active" answer must not outlive the revocation.
        Assert.Null(await Tokens.ValidateAsync(created.Token, CancellationToken.None));
        Assert.Null(await Tokens.FindActiveAsync(created.Info.Id, CancellationToken.None));
        Assert.Equal([created.Info.Id], raised);
        var listed = (await Tokens.ListAsync(CancellationToken.None)).Single();
        Assert.Equal(DisplayTokenState.Revoked, listed.StateAt(Time.GetUtcNow()));
        Assert.Equal(AdminName, listed.RevokedByName);
        Assert.False(await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None));
        Assert.False(await Tokens.RevokeAsync(Guid.NewGuid(), Admin, CancellationToken.None));
    }

    [Fact]
    public async Task Audit_CreateRevokeAndFirstUsePerDay_RecordedWithoutTheToken()
    {
        var (created, _) = await Tokens.CreateAsync("wall 7", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);
        await ValidateAndRecordAsync(created!.Token);
        Time.Advance(TimeSpan.FromHours(2));
        await ValidateAndRecordAsync(created.Token);
        Time.Advance(TimeSpan.FromDays(1));
        await ValidateAndRecordAsync(created.Token);
        await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None);

        var entries = (await AuditEntriesAsync("display_token.")).OrderBy(e => e.Sequence).ToList();

        Assert.Equal(
            [AuditActions.DisplayTokenCreate, AuditActions.DisplayTokenUse, AuditActions.DisplayTokenUse, AuditActions.DisplayTokenRevoke],
            entries.Select(e => e.Action));
        Assert.Equal(AdminId, entries[0].ActorId);
        Assert.Equal($"display-token:{created.Info.Id:D}", entries[1].ActorId);
        Assert.All(entries, e => Assert.Contains("wall 7", e.Detail, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(created.Token, e.Detail, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(DisplayTokenService.Hash(created.Token), e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateAsync_Use_UpdatesLastUsedAtMostOnceAMinute()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);
        var firstUse = Time.GetUtcNow();
        await ValidateAndRecordAsync(created!.Token);
        Time.Advance(TimeSpan.FromSeconds(30));
        await ValidateAndRecordAsync(created.Token);

        Assert.Equal(firstUse, (await Tokens.ListAsync(CancellationToken.None)).Single().LastUsedAt);

        Time.Advance(TimeSpan.FromSeconds(31));
        await ValidateAndRecordAsync(created.Token);

        Assert.Equal(Time.GetUtcNow(), (await Tokens.ListAsync(CancellationToken.None)).Single().LastUsedAt);
    }

    [Fact]
    public async Task ValidateAsync_AuditCannotBeWritten_TokenStaysValidAndTheDayIsNotMarkedUsed()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);
        await Audit.StopAsync(CancellationToken.None);

        var info = await Tokens.ValidateAsync(created!.Token, CancellationToken.None);
        await Tokens.UseRecordedAsync();

        Assert.Equal(created.Info.Id, info?.Id);
        Assert.Equal(created.Info.Id, (await Tokens.FindActiveAsync(created.Info.Id, CancellationToken.None))?.Id);
        // The circuit's revalidation (same rule as the hub's) keeps the wall screen signed in.
        var sessions = Services.GetRequiredService<SessionValidator>();
        Assert.True(await sessions.IsStillValidAsync(DisplayPrincipal.Create(created.Info, DisplayAuthentication.CookieScheme), CancellationToken.None));
        // Not audited, so not marked: a later use (once the audit log works again) records the day.
        Assert.Null((await Tokens.ListAsync(CancellationToken.None)).Single().LastUsedAt);
        Assert.Empty(await AuditEntriesAsync(AuditActions.DisplayTokenUse));
    }

    [Fact]
    public async Task ValidateAsync_DatabaseWriteLocked_AnswersWithoutWaitingAndRecordsTheUseOnceUnlocked()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);
        await using var locker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Directory, "openkcm.db")};Pooling=False");
        await locker.OpenAsync();
        await using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        // The read is not blocked (WAL); the write is, and validation must not wait for it.
        var info = await Tokens.ValidateAsync(created!.Token, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(created.Info.Id, info?.Id);
        Assert.False(Tokens.UseRecordedAsync().IsCompleted);
        Assert.Null((await Tokens.ListAsync(CancellationToken.None)).Single().LastUsedAt);

        await using (var rollback = locker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await Tokens.UseRecordedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Time.GetUtcNow(), (await Tokens.ListAsync(CancellationToken.None)).Single().LastUsedAt);
        Assert.Single(await AuditEntriesAsync(AuditActions.DisplayTokenUse));
    }

    [Fact]
    public async Task ValidateAsync_UnknownToken_RefusedFromCacheForThirtySecondsThenReadAgain()
    {
        var token = "okd_" + new string('Q', 43);
        Assert.Null(await Tokens.ValidateAsync(token, CancellationToken.None));
        Assert.Equal(1, Tokens.UnknownCachedCount);

        // A row appearing behind the service's back (as another console instance would write it) proves no read happens.
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
            db.DisplayTokens.Add(new DisplayToken
            {
                Id = Guid.NewGuid(),
                Name = "elsewhere",
                TokenHash = DisplayTokenService.Hash(token),
                CreatedById = AdminId,
                CreatedByName = AdminName,
                CreatedAt = Time.GetUtcNow(),
                ExpiresAt = Time.GetUtcNow().AddDays(1),
            });
            await db.SaveChangesAsync();
        }

        Time.Advance(DisplayTokenService.UnknownCacheDuration - TimeSpan.FromSeconds(1));
        Assert.Null(await Tokens.ValidateAsync(token, CancellationToken.None));

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("elsewhere", (await Tokens.ValidateAsync(token, CancellationToken.None))?.Name);
        await Tokens.UseRecordedAsync();
    }

    [Fact]
    public async Task ValidateAsync_FloodOfUnknownTokens_NegativeCacheStaysBounded()
    {
        for (var i = 0; i < DisplayTokenService.MaxUnknownCached + 50; i++)
        {
            var token = "okd_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Assert.Null(await Tokens.ValidateAsync(token, CancellationToken.None));
            Assert.InRange(Tokens.UnknownCachedCount, 1, DisplayTokenService.MaxUnknownCached);
        }
    }

    [Fact]
    public async Task ValidateAsync_ManyConcurrentFirstRequests_OneTokenOneUseEntry()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(90), Admin, CancellationToken.None);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Tokens.ValidateAsync(created!.Token, CancellationToken.None))));
        await Tokens.UseRecordedAsync();

        Assert.All(answers, a => Assert.Equal(created!.Info.Id, a?.Id));
        Assert.Single(await AuditEntriesAsync(AuditActions.DisplayTokenUse));
    }

    private async Task ValidateAndRecordAsync(string token)
    {
        Assert.NotNull(await Tokens.ValidateAsync(token, CancellationToken.None));
        await Tokens.UseRecordedAsync();
    }
}

using Microsoft.AspNetCore.Components;
using OpenKcm.Core.Audit;
using Radzen;
using Radzen.Blazor;

namespace OpenKcm.Console.Components.Audit;

/// <summary>Read-only audit log with filters and chain verification (Auditor, Administrator).</summary>
public sealed partial class AuditPage
{
    private static readonly AuditOutcome?[] s_outcomes = [AuditOutcome.Success, AuditOutcome.Failure, AuditOutcome.Denied];

    private RadzenDataGrid<AuditEntry>? _grid;
    private IEnumerable<AuditEntry> _entries = [];
    private int _total;
    private bool _loading;
    private bool _verifying;
    private AuditVerification? _verification;
    private string? _actionPrefix;
    private string? _actor;
    private AuditOutcome? _outcome;
    private DateTime? _from;
    private DateTime? _to;

    [Inject] public required AuditLog Audit { get; init; }

    private async Task LoadAsync(LoadDataArgs args)
    {
        _loading = true;
        try
        {
            var page = await Audit.QueryAsync(new AuditQuery
            {
                ActionPrefix = string.IsNullOrWhiteSpace(_actionPrefix) ? null : _actionPrefix.Trim(),
                Actor = string.IsNullOrWhiteSpace(_actor) ? null : _actor.Trim(),
                Outcome = _outcome,
                From = _from is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
                To = _to is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
                Skip = args.Skip ?? 0,
                Take = Math.Clamp(args.Top ?? 50, 1, AuditQuery.MaxTake),
            }, CancellationToken.None);
            _entries = page.Entries;
            _total = page.TotalCount;
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task ApplyFiltersAsync()
    {
        if (_grid is not null)
        {
            await _grid.FirstPage(true);
        }
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        try
        {
            _verification = await Audit.VerifyAsync(CancellationToken.None);
        }
        finally
        {
            _verifying = false;
        }
    }
}

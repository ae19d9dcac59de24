using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Radzen.Blazor;

namespace OpenKcm.Console.Tests;

/// <summary>The base class's promises, checked on the Radzen and ASP.NET Core components the console builds on.</summary>
public sealed class ConsoleTestContextTests : ConsoleTestContext
{
    private sealed record Point(string Hour, double Latency);

    private static readonly Point[] s_latencies = [new("09:00", 12), new("10:00", 18), new("11:00", 15)];

    [Fact]
    public void RadzenChart_Rendered_DrawsAtThePlannedSize()
    {
        var cut = Render<RadzenChart>(chart => chart.AddChildContent<RadzenLineSeries<Point>>(series => series
            .Add(s => s.Data, s_latencies)
            .Add(s => s.CategoryProperty, nameof(Point.Hour))
            .Add(s => s.ValueProperty, nameof(Point.Latency))
            .Add(s => s.Title, "p95 latency")));

        // Without a size from Radzen.createChart the chart throws on first render; with it, it lays out its axes
        // and draws the series inside the planned area.
        cut.WaitForAssertion(() => Assert.Equal(
            ["09:00", "10:00", "11:00"],
            cut.FindAll(".rz-category-axis .rz-tick-text").Select(t => t.TextContent.Trim())));
        Assert.StartsWith("M ", cut.Find(".rz-line-series path").GetAttribute("d"));
        Assert.Contains("p95 latency", cut.Find(".rz-legend-item-text").TextContent);
        JSInterop.VerifyInvoke("Radzen.createChart");
    }

    [Fact]
    public void RadzenButton_Clicked_InvokesTheCallback()
    {
        var clicks = 0;
        var cut = Render<RadzenButton>(button => button
            .Add(b => b.Text, "Test connection")
            .Add(b => b.Click, () => clicks++));

        cut.Find("button").Click();

        Assert.Equal(1, clicks);
        Assert.Equal("Test connection", cut.Find("button").TextContent.Trim());
    }

    [Fact]
    public void AuthorizeView_Anonymous_ShowsNotAuthorizedContent()
    {
        var cut = Render<AuthorizeView>(view => view
            .Add(v => v.Authorized, state => $"<p>signed in as {state.User.Identity!.Name}</p>")
            .Add(v => v.NotAuthorized, _ => "<p>please sign in</p>"));

        cut.MarkupMatches("<p>please sign in</p>");
    }

    [Fact]
    public void AuthorizeView_SignedInWithTheRole_ShowsAuthorizedContent()
    {
        SignInAs("ada@example.test", "Administrator");

        var cut = Render<AuthorizeView>(view => view
            .Add(v => v.Roles, "Administrator")
            .Add(v => v.Authorized, state => $"<p>signed in as {state.User.Identity!.Name}</p>")
            .Add(v => v.NotAuthorized, _ => "<p>not allowed</p>"));

        cut.MarkupMatches("<p>signed in as ada@example.test</p>");
    }

    [Fact]
    public void AuthorizeView_SignedInWithoutTheRole_ShowsNotAuthorizedContent()
    {
        SignInAs("otto@example.test", "Auditor");

        var cut = Render<AuthorizeView>(view => view
            .Add(v => v.Roles, "Administrator")
            .Add(v => v.Authorized, _ => "<p>allowed</p>")
            .Add(v => v.NotAuthorized, _ => "<p>not allowed</p>"));

        cut.MarkupMatches("<p>not allowed</p>");
    }
}

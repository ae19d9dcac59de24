using OpenKcm.Console;

var builder = WebApplication.CreateBuilder(args);
builder.AddOperatorConfigurationFile();
builder.AddConsoleServices();

var app = builder.Build();
app.UseConsolePipeline();
app.MapConsoleEndpoints();
app.Run();

/// <summary>Entry point; public so the e2e and component tests can host the real application.</summary>
public partial class Program;

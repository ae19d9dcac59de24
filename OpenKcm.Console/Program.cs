var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
var app = builder.Build();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<OpenKcm.Console.Components.App>().AddInteractiveServerRenderMode();
app.Run();

public partial class Program;

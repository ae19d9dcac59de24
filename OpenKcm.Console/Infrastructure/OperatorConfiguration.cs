using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace OpenKcm.Console.Infrastructure;

/// <summary>Finds the operator's appsettings.json (see <see cref="Add"/>).</summary>
internal static class OperatorConfiguration
{
    public const string FileName = "appsettings.json";

    /// <summary>
    /// The operator's configuration file is appsettings.json at the repository (or install) root. `dotnet run
    /// --project OpenKcm.Console` from the root makes the root the content root, so the default host loads it.
    /// The build also copies it next to the binaries; when the content root has no such file (started from
    /// elsewhere, or hosted by tests) that copy is loaded in the same position, so environment variables and the
    /// command line still override it.
    /// </summary>
    public static void Add(WebApplicationBuilder builder)
    {
        if (File.Exists(Path.Combine(builder.Environment.ContentRootPath, FileName)))
        {
            return;
        }

        var sources = builder.Configuration.Sources;
        var contentRootJson = sources.OfType<JsonConfigurationSource>().FirstOrDefault(s => s.Path == FileName);
        var index = contentRootJson is null ? 0 : sources.IndexOf(contentRootJson);
        sources.Insert(index, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = FileName,
            Optional = true,
        });
    }
}

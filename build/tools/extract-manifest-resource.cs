#:property PublishAot=false
// Extracts one manifest resource from a .NET assembly into a file. Used by build/BlazorWebJs.targets to pull
// _framework/blazor.web.js out of the .NET 9 runtime pack (see that file for why). Kept outside the web project
// folder so the web project does not compile it.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: extract-manifest-resource <assembly> <resource-name> <output-file>");
    return 2;
}

var (assemblyPath, resourceName, outputFile) = (args[0], args[1], args[2]);
using var stream = File.OpenRead(assemblyPath);
using var pe = new PEReader(stream);
var metadata = pe.GetMetadataReader();
foreach (var handle in metadata.ManifestResources)
{
    var resource = metadata.GetManifestResource(handle);
    if (metadata.GetString(resource.Name) != resourceName)
    {
        continue;
    }

    var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
    var block = pe.GetSectionData(directory.RelativeVirtualAddress);
    var reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
    var length = reader.ReadInt32();
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputFile))!);
    File.WriteAllBytes(outputFile, reader.ReadBytes(length));
    return 0;
}

Console.Error.WriteLine($"Resource '{resourceName}' not found in {assemblyPath}.");
return 1;

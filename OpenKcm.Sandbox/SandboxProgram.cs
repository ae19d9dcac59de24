namespace OpenKcm.Sandbox;

internal static class SandboxProgram
{
    public static int Main() => 0;
}

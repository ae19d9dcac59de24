using System.Runtime.InteropServices;

namespace OpenKcm.Console.Sandbox;

/// <summary>
/// Sets a variable in the process environment that native libraries read with <c>getenv</c>.
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> only changes .NET's own copy on Linux, so SoftHSM2
/// would never see <c>SOFTHSM2_CONF</c> set that way (environment.md); libc's <c>setenv</c> changes the real one.
/// Call before the library reads it (SoftHSM2: at <c>C_Initialize</c>).
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for .NET and for native code alike.</summary>
    /// <exception cref="InvalidOperationException">libc refused (invalid name, out of memory).</exception>
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && SetEnv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not allow.
    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>What a tool printed and how it exited. <see cref="Output"/> may hold key values: never log it.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Error)
{
    private const int MaxDiagnosticLength = 400;

    /// <summary>
    /// The tool's error lines, fit for a message: the known noise of reading a sensitive key's value dropped, every
    /// secret in <paramref name="secrets"/> replaced by <c>***</c> (tools do not echo PINs, but a message must not
    /// depend on that), shortened to a few hundred characters. Standard output is never included.
    /// </summary>
    public string Diagnostic(params ReadOnlySpan<string> secrets)
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.Contains("CKR_ATTRIBUTE_SENSITIVE", StringComparison.Ordinal));
        var text = string.Join(" | ", lines);
        foreach (var secret in secrets)
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        if (text.Length == 0)
        {
            return $"exit code {ExitCode}, no error output";
        }

        return text.Length > MaxDiagnosticLength ? text[..MaxDiagnosticLength] + "…" : text;
    }
}

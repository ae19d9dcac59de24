using System.Diagnostics;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

public sealed class ShellWordsTests
{
    [Theory]
    [InlineData("openkcm-keys/keys/customer-master-key")]
    [InlineData("-namespace=team-a/prod")]
    [InlineData("token_policies=openkcm-policy")]
    [InlineData("/etc/openkcm/openbao-secret-id")]
    public void Quote_WordShNeverInterprets_IsLeftAsItIs(string value)
    {
        Assert.Equal(value, ShellWords.Quote(value));
    }

    [Theory]
    [InlineData("/etc/openkcm/it's a file")]
    [InlineData("$(touch /tmp/openkcm-pwned)")]
    [InlineData("`id`")]
    [InlineData("a\"b\\c")]
    [InlineData("'")]
    [InlineData("''")]
    [InlineData("line\nbreak; echo injected")]
    [InlineData("* ~ $HOME !1 & | < > #")]
    [InlineData("")]
    public async Task Quote_AnyValue_ReachesTheCommandAsOneUnchangedWord(string value)
    {
        var startInfo = new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", $"printf '%s|%s' \"$#\" {ShellWords.Quote(value)}", "sh" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var sh = Process.Start(startInfo)!;

        var output = await sh.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await sh.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, sh.ExitCode);
        Assert.Equal($"0|{value}", output);
    }

    [Fact]
    public async Task GeneratedCommands_HostileValuesRunBySh_RunNothingButBaoAndWriteTheExactFile()
    {
        var directory = Directory.CreateTempSubdirectory("openkcm-shell-").FullName;
        try
        {
            const string Inject = "$(touch pwned-1)`touch pwned-2`;touch pwned-3\ntouch pwned-4'";
            var secretFile = Path.Combine(directory, "it's a file " + Inject);
            var options = new OpenBaoOptions { RoleName = "role" + Inject, PolicyName = "policy" + Inject };
            var guidance = new OpenBaoGuidance("keys" + Inject, "key" + Inject, "team" + Inject, secretFile, options);

            // bao is stubbed: it records each call's words, one per line, and succeeds.
            var script = "bao() { printf '%s\\n' \"$@\" >> bao.log; echo '{}'; }\n" + guidance.TransitCommands() + guidance.AppRoleCommands();
            var startInfo = new ProcessStartInfo("sh") { ArgumentList = { "-c", script }, WorkingDirectory = directory, UseShellExecute = false };
            using (var sh = Process.Start(startInfo)!)
            {
                await sh.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }

            Assert.Empty(Directory.GetFiles(directory, "pwned*"));
            Assert.True(File.Exists(secretFile));
            var words = await File.ReadAllTextAsync(Path.Combine(directory, "bao.log"));
            Assert.Contains("-path=keys" + Inject + "\n", words);
            Assert.Contains("token_policies=policy" + Inject + "\n", words);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void CommentText_LineBreaks_AreReplaced()
    {
        Assert.Equal("a?b?c", ShellWords.CommentText("a\nb\rc"));
    }
}

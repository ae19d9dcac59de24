using System.Text;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>A <see cref="StringWriter"/> that completes <see cref="Seen"/> once the text written contains a marker.</summary>
internal sealed class SignalingWriter(string marker) : StringWriter
{
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    public Task Seen => _seen.Task;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            base.Write(buffer, index, count);
            Check();
        }
    }

    private void Check()
    {
        if (GetStringBuilder().ToString().Contains(marker, StringComparison.Ordinal))
        {
            _seen.TrySetResult();
        }
    }
}

namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>Allowed actions such as <c>kms:Encrypt</c>; <c>kms:*</c> and <c>*</c> are wildcards. Immutable.</summary>
internal sealed class ActionSet
{
    private readonly HashSet<string> _actions;

    public ActionSet(IEnumerable<string> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        _actions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var action in actions)
        {
            if (action != "*" && (action.Split(':') is not [{ Length: > 0 }, { Length: > 0 }]))
            {
                throw new ArgumentException($"'{action}' is not an action such as kms:Encrypt or sts:AssumeRole", nameof(actions));
            }

            _actions.Add(action);
        }
    }

    public IReadOnlyCollection<string> Items => _actions;

    public bool Allows(string action) =>
        _actions.Contains(action) || _actions.Contains("*") || _actions.Contains(action.Split(':')[0] + ":*");
}

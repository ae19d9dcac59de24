using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core;

/// <summary>
/// The result of a command whose expected failures are input errors shown next to form fields: either
/// <see cref="Value"/> or at least one <see cref="FieldError"/>. Unexpected failures (storage, audit, rule violations)
/// are exceptions. Immutable.
/// </summary>
public sealed class CommandResult<T>
    where T : class
{
    public CommandResult(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Errors = [];
    }

    public CommandResult(IEnumerable<FieldError> errors)
    {
        Errors = [.. errors];
        if (Errors.IsEmpty)
        {
            throw new ArgumentException("A failed result names at least one error.", nameof(errors));
        }
    }

    public T? Value { get; }

    public ImmutableArray<FieldError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    public bool Succeeded => Value is not null;
}

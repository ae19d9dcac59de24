namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>
/// Turns policy text (HCL or JSON) into an <see cref="AclPolicy"/>. Supports <c>capabilities</c> and the legacy
/// <c>policy = "read|write|deny|sudo"</c>; parameter constraints and wrapping TTLs are accepted but not enforced.
/// </summary>
internal static class PolicyParser
{
    private static readonly HashSet<string> s_pathKeys = new(StringComparer.Ordinal)
    {
        "capabilities", "policy", "allowed_parameters", "denied_parameters", "required_parameters",
        "min_wrapping_ttl", "max_wrapping_ttl", "control_group", "mfa_methods", "subscribe_event_types",
        "pagination_limit",
    };

    /// <exception cref="FormatException">The text is not a valid policy; the message says where and why.</exception>
    public static AclPolicy Parse(string name, string text)
    {
        var rules = new List<PathRule>();
        foreach (var item in HclParser.Parse(text))
        {
            switch (item.Key)
            {
                case "name":
                    break;
                case "path" when item.IsBlock && item.Labels.Count == 1:
                    rules.Add(ParseRule(item.Labels[0], Body(item)));
                    break;
                case "path" when !item.IsBlock && item.Value is IReadOnlyList<HclItem> paths:
                    rules.AddRange(paths.Select(path => ParseRule(path.Key, Body(path))));
                    break;
                default:
                    throw new FormatException($"invalid key \"{item.Key}\" on line {item.Line}");
            }
        }

        return new AclPolicy(name, text, rules);
    }

    private static IReadOnlyList<HclItem> Body(HclItem item) =>
        item.Value as IReadOnlyList<HclItem> ?? throw new FormatException($"path on line {item.Line}: expected a block");

    private static PathRule ParseRule(string pattern, IReadOnlyList<HclItem> body)
    {
        var capabilities = Capabilities.None;
        foreach (var item in body)
        {
            if (!s_pathKeys.Contains(item.Key))
            {
                throw new FormatException($"path \"{pattern}\": invalid key \"{item.Key}\" on line {item.Line}");
            }

            if (item.Key == "capabilities")
            {
                capabilities |= ParseCapabilities(pattern, item.Value);
            }
            else if (item.Key == "policy")
            {
                capabilities |= LegacyPolicy(pattern, item.Value as string);
            }
        }

        if (capabilities.HasFlag(Capabilities.Deny))
        {
            capabilities = Capabilities.Deny;
        }

        return new PathRule(pattern.TrimStart('/'), capabilities);
    }

    private static Capabilities ParseCapabilities(string pattern, object? value)
    {
        if (value is not List<object?> names)
        {
            throw new FormatException($"path \"{pattern}\": capabilities must be a list of strings");
        }

        var capabilities = Capabilities.None;
        foreach (var name in names)
        {
            if (name is not string text || !CapabilityNames.TryParse(text, out var capability))
            {
                throw new FormatException($"path \"{pattern}\": invalid capability \"{name}\"");
            }

            capabilities |= capability;
        }

        return capabilities;
    }

    private static Capabilities LegacyPolicy(string pattern, string? policy) => policy switch
    {
        "deny" => Capabilities.Deny,
        "read" => Capabilities.Read | Capabilities.List,
        "write" => Capabilities.Read | Capabilities.List | Capabilities.Create | Capabilities.Update | Capabilities.Delete,
        "sudo" => Capabilities.Read | Capabilities.List | Capabilities.Create | Capabilities.Update | Capabilities.Delete
            | Capabilities.Sudo,
        _ => throw new FormatException($"path \"{pattern}\": invalid policy \"{policy}\""),
    };
}

namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>
/// One <c>path "..."</c> rule. A trailing <c>*</c> makes it a prefix (glob) rule; a <c>+</c> segment matches any one
/// path segment.
/// </summary>
internal sealed class PathRule
{
    private readonly string[] _segments;

    public PathRule(string pattern, Capabilities capabilities)
    {
        Pattern = pattern;
        Capabilities = capabilities;
        IsGlob = pattern.EndsWith('*');
        Prefix = IsGlob ? pattern[..^1] : pattern;
        _segments = Prefix.Split('/');
        SegmentWildcards = _segments.Count(s => s == "+");
    }

    public string Pattern { get; }

    public Capabilities Capabilities { get; }

    public bool IsGlob { get; }

    public string Prefix { get; }

    public int SegmentWildcards { get; }

    public bool IsExact => !IsGlob && SegmentWildcards == 0;

    /// <summary>Where the first <c>+</c> or the glob starts; later means more specific.</summary>
    private int FirstWildcard
    {
        get
        {
            var plus = SegmentWildcards == 0 ? -1 : Array.IndexOf(_segments, "+");
            var index = plus < 0 ? int.MaxValue : _segments.Take(plus).Sum(s => s.Length + 1);
            return Math.Min(index, IsGlob ? Prefix.Length : int.MaxValue);
        }
    }

    public PathRule WithCapabilities(Capabilities capabilities) => new(Pattern, capabilities);

    public bool Matches(string path)
    {
        if (SegmentWildcards == 0)
        {
            return IsGlob ? path.StartsWith(Prefix, StringComparison.Ordinal) : path == Prefix;
        }

        var segments = path.Split('/');
        if (IsGlob ? segments.Length < _segments.Length : segments.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            var rule = _segments[i];
            var last = i == _segments.Length - 1;
            var matches = rule == "+"
                || (IsGlob && last ? segments[i].StartsWith(rule, StringComparison.Ordinal) : segments[i] == rule);
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Vault's priority between two non-exact rules that match the same path; positive when this one wins:
    /// a later first wildcard wins, then no glob over glob, then fewer <c>+</c>, then longer, then lexically greater.
    /// </summary>
    public int ComparePriority(PathRule other)
    {
        if (FirstWildcard != other.FirstWildcard)
        {
            return FirstWildcard.CompareTo(other.FirstWildcard);
        }

        if (IsGlob != other.IsGlob)
        {
            return IsGlob ? -1 : 1;
        }

        if (SegmentWildcards != other.SegmentWildcards)
        {
            return other.SegmentWildcards.CompareTo(SegmentWildcards);
        }

        return Pattern.Length != other.Pattern.Length
            ? Pattern.Length.CompareTo(other.Pattern.Length)
            : string.CompareOrdinal(Pattern, other.Pattern);
    }
}

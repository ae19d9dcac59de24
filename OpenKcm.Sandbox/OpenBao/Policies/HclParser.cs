using System.Globalization;
using System.Text;

namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>
/// A parser for the part of HCL that policies use: attributes, labelled blocks, strings, numbers, booleans, lists and
/// objects; <c>#</c>, <c>//</c> and <c>/* */</c> comments. JSON is accepted too (HCL is a superset of it).
/// Heredocs and expressions are not supported. Errors are <see cref="FormatException"/> with a line number.
/// </summary>
internal sealed class HclParser
{
    private readonly string _text;
    private int _position;
    private int _line = 1;

    private HclParser(string text)
    {
        _text = text;
    }

    public static IReadOnlyList<HclItem> Parse(string text)
    {
        var parser = new HclParser(text);
        parser.SkipTrivia();
        IReadOnlyList<HclItem> body;
        if (parser.Peek() == '{')
        {
            parser._position++;
            body = parser.ParseBody('}');
            parser.Expect('}');
        }
        else
        {
            body = parser.ParseBody(null);
        }

        parser.SkipTrivia();
        return parser.AtEnd ? body : throw parser.Error("unexpected content after the end of the document");
    }

    private bool AtEnd => _position >= _text.Length;

    private List<HclItem> ParseBody(char? terminator)
    {
        var items = new List<HclItem>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd ? terminator is null : Peek() == terminator)
            {
                return items;
            }

            if (AtEnd)
            {
                throw Error($"expected '{terminator}' before the end of the document");
            }

            var line = _line;
            var key = Peek() == '"' ? ReadString() : ReadIdentifier();
            SkipTrivia();
            if (Peek() is '=' or ':')
            {
                _position++;
                items.Add(new HclItem(key, [], ParseValue(), IsBlock: false, line));
            }
            else
            {
                var labels = new List<string>();
                while (Peek() == '"')
                {
                    labels.Add(ReadString());
                    SkipTrivia();
                }

                Expect('{');
                var body = ParseBody('}');
                Expect('}');
                items.Add(new HclItem(key, labels, body, IsBlock: true, line));
            }

            SkipTrivia();
            if (Peek() == ',')
            {
                _position++;
            }
        }
    }

    private object? ParseValue()
    {
        SkipTrivia();
        switch (Peek())
        {
            case '"':
                return ReadString();
            case '[':
                return ParseList();
            case '{':
                _position++;
                var body = ParseBody('}');
                Expect('}');
                return body;
            case var c when c == '-' || char.IsAsciiDigit(c):
                return ReadNumber();
            default:
                return ReadIdentifier() switch
                {
                    "true" => true,
                    "false" => false,
                    "null" => null,
                    var other => throw Error($"unexpected '{other}'"),
                };
        }
    }

    private List<object?> ParseList()
    {
        Expect('[');
        var items = new List<object?>();
        while (true)
        {
            SkipTrivia();
            if (Peek() == ']')
            {
                _position++;
                return items;
            }

            items.Add(ParseValue());
            SkipTrivia();
            if (Peek() == ',')
            {
                _position++;
            }
            else if (Peek() != ']')
            {
                throw Error("expected ',' or ']' in a list");
            }
        }
    }

    private string ReadString()
    {
        Expect('"');
        var value = new StringBuilder();
        while (!AtEnd && Peek() != '"')
        {
            var c = _text[_position++];
            if (c == '\n')
            {
                throw Error("unterminated string");
            }

            value.Append(c == '\\' ? ReadEscape() : c);
        }

        Expect('"');
        return value.ToString();
    }

    private char ReadEscape()
    {
        if (AtEnd)
        {
            throw Error("unterminated escape");
        }

        var c = _text[_position++];
        switch (c)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'u' when _position + 4 <= _text.Length:
                var hex = _text.Substring(_position, 4);
                _position += 4;
                return (char)int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            default: return c;
        }
    }

    private double ReadNumber()
    {
        var start = _position;
        while (!AtEnd && (char.IsAsciiDigit(Peek()) || Peek() is '-' or '.' or 'e' or 'E' or '+'))
        {
            _position++;
        }

        return double.TryParse(_text.AsSpan(start, _position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Error("invalid number");
    }

    private string ReadIdentifier()
    {
        var start = _position;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek()) || Peek() is '_' or '-' or '.'))
        {
            _position++;
        }

        return _position > start ? _text[start.._position] : throw Error($"unexpected '{Peek()}'");
    }

    private void Expect(char expected)
    {
        SkipTrivia();
        if (Peek() != expected)
        {
            throw Error(AtEnd ? $"expected '{expected}' before the end of the document" : $"expected '{expected}'");
        }

        _position++;
    }

    private char Peek() => AtEnd ? '\0' : _text[_position];

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '\n')
            {
                _line++;
                _position++;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '#' || (c == '/' && At(1) == '/'))
            {
                while (!AtEnd && Peek() != '\n')
                {
                    _position++;
                }
            }
            else if (c == '/' && At(1) == '*')
            {
                var end = _text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error("unterminated comment");
                }

                _line += _text.AsSpan(_position, end - _position).Count('\n');
                _position = end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private char At(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private FormatException Error(string message) => new($"At {_line}: {message}");
}

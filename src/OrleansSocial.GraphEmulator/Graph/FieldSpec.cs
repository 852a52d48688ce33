using System.Globalization;

namespace OrleansSocial.GraphEmulator.Graph;

/// <summary>
/// One requested field with Graph's field-expansion syntax:
/// <c>comments.limit(0).summary(true)</c>, <c>instagram_business_account{id,username}</c>.
/// </summary>
public sealed record FieldSpec(string Name, IReadOnlyDictionary<string, string> Modifiers, IReadOnlyList<FieldSpec> Children)
{
    public int? Limit => Modifiers.TryGetValue("limit", out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    public bool Summary => Modifiers.TryGetValue("summary", out var v) && v is "true" or "1" or "total_count";

    public static IReadOnlyList<FieldSpec> Parse(string? fields)
    {
        if (string.IsNullOrWhiteSpace(fields))
        {
            return [];
        }

        var position = 0;
        return ParseList(fields, ref position, '\0');
    }

    /// <summary>The fields again as Graph syntax: what a nested edge passes on as its own <c>fields</c>.</summary>
    public static string Format(IReadOnlyList<FieldSpec> fields) => string.Join(',', fields.Select(f => f.ToString()));

    public override string ToString() =>
        Name + string.Concat(Modifiers.Select(m => $".{m.Key}({m.Value})")) + (Children.Count > 0 ? "{" + Format(Children) + "}" : "");

    private static List<FieldSpec> ParseList(string text, ref int position, char end)
    {
        var list = new List<FieldSpec>();
        while (position < text.Length && text[position] != end)
        {
            list.Add(ParseOne(text, ref position));
            if (position < text.Length && text[position] == ',')
            {
                position++;
            }
        }

        if (position < text.Length && text[position] == end)
        {
            position++;
        }

        return list;
    }

    private static FieldSpec ParseOne(string text, ref int position)
    {
        var name = ReadName(text, ref position);
        var modifiers = new Dictionary<string, string>(StringComparer.Ordinal);
        var children = new List<FieldSpec>();
        while (position < text.Length)
        {
            if (text[position] == '.')
            {
                position++;
                var modifier = ReadName(text, ref position);
                var value = "";
                if (position < text.Length && text[position] == '(')
                {
                    var close = text.IndexOf(')', position);
                    close = close < 0 ? text.Length : close;
                    value = text[(position + 1)..close];
                    position = Math.Min(text.Length, close + 1);
                }

                modifiers[modifier] = value;
            }
            else if (text[position] == '{')
            {
                position++;
                children = ParseList(text, ref position, '}');
            }
            else
            {
                break;
            }
        }

        return new FieldSpec(name, modifiers, children);
    }

    private static string ReadName(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
        {
            position++;
        }

        return text[start..position];
    }
}

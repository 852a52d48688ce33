using System.Globalization;

using System.Text;

namespace OrleansSocial.Validation;

/// <summary>
/// What every value reaching a handler must satisfy, whatever the route: strings carry at least
/// one visible character and no control or direction-override characters, dates fall in a
/// range any computation on them can handle. Each rule names what is wrong, never echoes input.
/// </summary>
public static class InputRules
{
    /// <summary>Earliest and latest instants the API accepts: arithmetic on them (a 28-day window, a horizon) cannot overflow.</summary>
    public static readonly DateTimeOffset EarliestDate = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset LatestDate = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string? CheckString(string value)
    {
        var visible = false;
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (IsDirectionOverride(rune.Value))
            {
                return "must not contain bidirectional override or isolate characters";
            }

            if (category == UnicodeCategory.Control && rune.Value is not ('\n' or '\r' or '\t'))
            {
                return "must not contain control characters";
            }

            visible |= IsVisible(rune, category);
        }

        return visible ? null : "must contain at least one visible character";
    }

    public static string? CheckDate(DateTimeOffset value) =>
        value < EarliestDate || value > LatestDate
            ? $"must be between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}"
            : null;

    // Embeddings, overrides and isolates reorder what a reader sees (the "Trojan source" class).
    private static bool IsDirectionOverride(int c) => c is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    private static bool IsVisible(Rune rune, UnicodeCategory category) => category switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse => false,
        // Hangul fillers and braille blank render as nothing although Unicode calls them letters or symbols.
        _ => rune.Value is not (0x3164 or 0x115F or 0x1160 or 0xFFA0 or 0x2800),
    };
}

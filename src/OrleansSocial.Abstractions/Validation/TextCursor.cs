using System.Buffers.Text;
using System.Text;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Validation;

/// <summary>An opaque paging cursor over an in-memory ordering: the last sort key seen, base64url; a cursor that does not decode is 400.</summary>
public static class TextCursor
{
    public static string Encode(string sortKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(sortKey));

    public static string Decode(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw DomainException.Invalid("cursor", "The cursor is not valid.");
        }
    }
}

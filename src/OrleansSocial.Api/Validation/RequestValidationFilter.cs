using System.Collections;
using System.Reflection;
using System.Text.Json;
using OrleansSocial.Tenancy;
using OrleansSocial.Validation;

namespace OrleansSocial.Api.Validation;

/// <summary>
/// One gate at the edge for every route: walks each handler argument (query values, route values,
/// bodies and what they contain) and refuses, with 400 naming the field, a null where the type
/// says there is none (list elements included), a string with no visible character or with
/// control characters, and a date out of range. Nothing half-valid reaches a grain.
/// </summary>
public static class RequestValidationFilter
{
    private const int MaxDepth = 8;

    public static TBuilder ValidateRequests<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var nullability = new NullabilityInfoContext();
            var parameters = factory.MethodInfo.GetParameters()
                .Select(p => (Name: JsonNamingPolicy.CamelCase.ConvertName(p.Name ?? ""), Info: nullability.Create(p), IsBody: IsBodyType(p.ParameterType)))
                .ToArray();
            return context =>
            {
                for (var i = 0; i < parameters.Length && i < context.Arguments.Count; i++)
                {
                    var (name, info, isBody) = parameters[i];
                    // A missing body is the framework's "body required" 400 already; here only what was sent.
                    var problem = Check(context.Arguments[i], info, isBody ? "" : name, nullability, 0, allowNullHere: isBody || info.ReadState != NullabilityState.NotNull);
                    if (problem is not null)
                    {
                        throw DomainException.Invalid(problem.Value.Field, problem.Value.Detail);
                    }
                }

                return next(context);
            };
        });

    private static (string Field, string Detail)? Check(object? value, NullabilityInfo info, string path, NullabilityInfoContext nullability, int depth, bool allowNullHere)
    {
        var field = path.Length == 0 ? "body" : path;
        switch (value)
        {
            case null:
                return allowNullHere ? null : (field, $"{field} must not be null.");
            case string text:
                return InputRules.CheckString(text) is { } why ? (field, $"{field} {why}.") : null;
            case DateTimeOffset date:
                return InputRules.CheckDate(date) is { } dateWhy ? (field, $"{field} {dateWhy}.") : null;
            case DateTime dateTime:
                return InputRules.CheckDate(new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc))) is { } timeWhy ? (field, $"{field} {timeWhy}.") : null;
        }

        if (depth >= MaxDepth)
        {
            return null;
        }

        if (value is IDictionary dictionary)
        {
            var valueInfo = info.GenericTypeArguments.Length == 2 ? info.GenericTypeArguments[1] : null;
            foreach (DictionaryEntry entry in dictionary)
            {
                var key = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                if (InputRules.CheckString(key) is { } keyWhy)
                {
                    return (field, $"{field}: a key {keyWhy}.");
                }

                if (Element(entry.Value, valueInfo, $"{Prefix(path)}{key}", nullability, depth) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        if (value is IEnumerable items and not string)
        {
            var elementInfo = info.ElementType ?? (info.GenericTypeArguments.Length == 1 ? info.GenericTypeArguments[0] : null);
            var index = 0;
            foreach (var item in items)
            {
                if (Element(item, elementInfo, $"{field}[{index}]", nullability, depth) is { } problem)
                {
                    return problem;
                }

                index++;
            }

            return null;
        }

        if (!IsBodyType(value.GetType()))
        {
            return null;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var propertyInfo = nullability.Create(property);
            var name = $"{Prefix(path)}{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}";
            if (Check(property.GetValue(value), propertyInfo, name, nullability, depth + 1, propertyInfo.ReadState != NullabilityState.NotNull) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static (string Field, string Detail)? Element(object? item, NullabilityInfo? info, string path, NullabilityInfoContext nullability, int depth) =>
        item is null
            ? info?.ReadState == NullabilityState.Nullable ? null : (path, $"{path} must not be null.")
            : Check(item, info ?? Unknown, path, nullability, depth + 1, allowNullHere: true);

    private static readonly NullabilityInfo Unknown = new NullabilityInfoContext().Create(typeof(Holder).GetProperty(nameof(Holder.Value))!);

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ".";

    /// <summary>Our own request records: bodies and what they hold, never services such as a directory or a connector.</summary>
    private static bool IsBodyType(Type type) =>
        type is { IsClass: true } && type.Assembly.GetName().Name?.StartsWith("OrleansSocial", StringComparison.Ordinal) == true
        && type.GetMethod("<Clone>$") is not null;

    private sealed class Holder
    {
        public object? Value { get; set; }
    }
}

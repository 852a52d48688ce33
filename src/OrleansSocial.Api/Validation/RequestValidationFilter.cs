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
                .Select((p, index) => (Index: index, Name: JsonNamingPolicy.CamelCase.ConvertName(p.Name ?? ""), Info: nullability.Create(p), IsBody: IsBodyType(p.ParameterType), Checked: IsInput(p.ParameterType)))
                .Where(p => p.Checked)
                .ToArray();
            if (parameters.Length == 0)
            {
                // Services, HttpContext, cancellation: nothing a client sent. No filter on the hot path.
                return next;
            }

            return context =>
            {
                foreach (var (i, name, info, isBody, _) in parameters)
                {
                    if (i >= context.Arguments.Count)
                    {
                        continue;
                    }

                    // A missing body is the framework's "body required" 400 already; here only what was sent.
                    var problem = Check(context.Arguments[i], info, isBody ? "" : name, 0, allowNullHere: isBody || info.ReadState != NullabilityState.NotNull);
                    if (problem is not null)
                    {
                        throw DomainException.Invalid(problem.Value.Field, problem.Value.Detail);
                    }
                }

                return next(context);
            };
        });

    private static (string Field, string Detail)? Check(object? value, NullabilityInfo info, string path, int depth, bool allowNullHere)
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

                if (Element(entry.Value, valueInfo, $"{Prefix(path)}{key}", depth) is { } problem)
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
                if (Element(item, elementInfo, $"{field}[{index}]", depth) is { } problem)
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

            var propertyInfo = NullabilityOf(property);
            var name = $"{Prefix(path)}{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}";
            if (Check(property.GetValue(value), propertyInfo, name, depth + 1, propertyInfo.ReadState != NullabilityState.NotNull) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static (string Field, string Detail)? Element(object? item, NullabilityInfo? info, string path, int depth) =>
        item is null
            ? info?.ReadState == NullabilityState.Nullable ? null : (path, $"{path} must not be null.")
            : Check(item, info ?? Unknown, path, depth + 1, allowNullHere: true);

    private static readonly NullabilityInfo Unknown = new NullabilityInfoContext().Create(typeof(Holder).GetProperty(nameof(Holder.Value))!);

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ".";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> BodyTypes = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<PropertyInfo, NullabilityInfo> PropertyNullability = new();
    private static readonly NullabilityInfoContext SharedNullability = new();
    private static readonly Lock NullabilityGate = new();

    /// <summary>NullabilityInfoContext is not thread-safe: properties are read once, under a lock, and remembered.</summary>
    private static NullabilityInfo NullabilityOf(PropertyInfo property) => PropertyNullability.GetOrAdd(property, static p =>
    {
        lock (NullabilityGate)
        {
            return SharedNullability.Create(p);
        }
    });

    /// <summary>Our own request records: bodies and what they hold, never services such as a directory or a connector.</summary>
    private static bool IsBodyType(Type type) => BodyTypes.GetOrAdd(type, static t =>
        t is { IsClass: true } && t.Assembly.GetName().Name?.StartsWith("OrleansSocial", StringComparison.Ordinal) == true
        && t.GetMethod("<Clone>$") is not null);

    /// <summary>What a client can send: strings, dates, numbers and our request records (route, query, header and body values).</summary>
    private static bool IsInput(Type type)
    {
        var actual = Nullable.GetUnderlyingType(type) ?? type;
        return actual == typeof(string) || actual == typeof(DateTimeOffset) || actual == typeof(DateTime) || actual.IsPrimitive || IsBodyType(actual)
            || (actual != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(actual) && actual.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true);
    }

    private sealed class Holder
    {
        public object? Value { get; set; }
    }
}

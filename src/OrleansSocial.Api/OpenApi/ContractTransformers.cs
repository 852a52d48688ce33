using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansSocial.Api.Operators;
using OrleansSocial.Api.Tenancy;
using OrleansSocial.Channels;
using OrleansSocial.Tenancy;

namespace OrleansSocial.Api.OpenApi;

/// <summary>
/// Makes the served document exact for a client that reads nothing else: both bearer schemes and
/// the tenant header declared, every operation's security and problem responses, paging ranges,
/// enums for the closed sets of strings, operation ids from handler names.
/// </summary>
internal static class ContractTransformers
{
    public const string MemberScheme = "memberKey";
    public const string OperatorScheme = "operatorKey";
    public const string ProblemSchema = "Problem";

    /// <summary>Security schemes and the problem schema, once per document.</summary>
    public static Task Document(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[MemberScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "osk.{tenant}.{keyId}.{secret}",
            Description = "A member API key of the tenant named in x-tenant-id (routes under /api).",
        };
        document.Components.SecuritySchemes[OperatorScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The operator key (routes under /admin).",
        };
        // A relative-looking base ("http://host:port") rather than "…/": paths start with a slash of their own.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Info ??= new OpenApiInfo();
        document.Tags = new HashSet<OpenApiTag>(document.Tags?.Select(tag => tag.Description is null && TagDescriptions.TryGetValue(tag.Name ?? "", out var text)
            ? new OpenApiTag { Name = tag.Name, Description = text }
            : tag) ?? []);
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details. Extensions name what was wrong: field, permission, limit, timeToReset.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request field, header or parameter that was wrong (400)." },
                ["permission"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The permission the route needs (403)." },
                ["limit"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The plan limit reached (403 plan-limit)." },
                ["timeToReset"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "Seconds until a manual sync is allowed again (429)." },
                ["currentETag"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The object's version now, when If-Match named another (412)." },
                ["retryAfter"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Seconds to wait before trying again, as the Retry-After header says (429, 503)." },
            },
            Required = new HashSet<string> { "type", "title", "status" },
        };
        return Task.CompletedTask;
    }

    public static Task Operation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = "/" + (description.RelativePath ?? "").Split('?')[0];
        var method = description.HttpMethod ?? "GET";
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        var isTenantRoute = policies.Contains(MemberPolicies.AnyMember);
        var isOperatorRoute = policies.Contains(OperatorAuthenticationHandler.PolicyName);
        var permission = metadata.OfType<RequiresPermission>().LastOrDefault()?.Permission;

        // Unique across the document: operator routes are prefixed (GET /admin/tenants/{id} and GET /api/tenant are both GetTenant).
        operation.OperationId ??= (path.StartsWith("/admin", StringComparison.Ordinal) ? "Admin" : "") + OperationId(description, metadata);
        operation.Parameters ??= [];
        if (isTenantRoute)
        {
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = "x-tenant-id",
                In = ParameterLocation.Header,
                Required = true,
                Description = "The tenant the request is for; the member key must belong to it.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9][a-z0-9-]{2,39}$", MinLength = 3, MaxLength = 40 },
            });
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(MemberScheme, context.Document)] = [] }];
            if (permission is not null)
            {
                operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n") + $"Needs the `{permission}` permission.";
            }
        }
        else if (isOperatorRoute)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OperatorScheme, context.Document)] = [] }];
        }
        else
        {
            // Open on purpose (health, Meta's webhooks, which carry a signature instead): said, not left out.
            operation.Security = [];
        }

        // Every operation says who may call it, also where its handler adds nothing more.
        if (string.IsNullOrWhiteSpace(operation.Description))
        {
            operation.Description = isTenantRoute ? "Any member of the tenant may call it (x-tenant-id and a member key)."
                : isOperatorRoute ? "An operator route: needs the operator key."
                : "Open: no key (what it accepts is checked otherwise; see the summary).";
        }

        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Name == "limit" && parameter.In == ParameterLocation.Query)
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "100", Default = JsonValue.Create(25) };
                parameter.Description = "Items per page: 1-100, default 25.";
            }
            else if (parameter.Name == "status" && parameter.In == ParameterLocation.Query && path == "/api/posts")
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Apis.PostsApi.StatusNames.Keys.Select(k => (JsonNode)JsonValue.Create(k)!)] };
            }
            else if (parameter.Name == "cursor" && parameter.In == ParameterLocation.Query)
            {
                parameter.Description = "The nextCursor of the previous page; opaque.";
            }
            else if (parameter.Name == "If-Match" && parameter.In == ParameterLocation.Header)
            {
                parameter.Description = "The post's ETag as last read (GET /api/posts/{postId}); the change applies only to that version, otherwise 412. '*' or absent: any version.";
            }
        }

        // Single-post answers carry the post's version, for If-Match on the next change.
        if (path.StartsWith("/api/posts/{postId}", StringComparison.Ordinal) && !path.Contains("/publications/", StringComparison.Ordinal)
            && operation.Responses?.TryGetValue("200", out var single) == true && single is OpenApiResponse ok)
        {
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            ok.Headers["ETag"] = new OpenApiHeader
            {
                Description = "The post's current version (a strong entity tag); send it as If-Match on PATCH, DELETE, submit, approve and reject.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        var hasBody = operation.RequestBody is not null;
        var statuses = new SortedDictionary<int, string>();
        if (isTenantRoute || isOperatorRoute)
        {
            statuses[401] = isTenantRoute ? "No or invalid member key." : "No or invalid operator key.";
            statuses[429] = isTenantRoute ? "Over the tenant's request rate, or too many failed authentications from this address (Retry-After)." : "Too many failed authentications from this address (Retry-After).";
        }

        // Every route that reaches a grain or a database can meet a silo failing or a database out of capacity.
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/admin/", StringComparison.Ordinal))
        {
            statuses[503] = "Briefly unavailable, with Retry-After: a server of the cluster failed while answering (type ends in cluster-unavailable; a write may or may not have been made, so read it back), or the database had no capacity for the request (storage-busy; nothing was done).";

            // Writes into a tenant's database: the tenant's own routes, and the operator's on one tenant.
            if (method != "GET" && (isTenantRoute || path.StartsWith("/admin/tenants/{id}", StringComparison.Ordinal)))
            {
                statuses[503] += " Or the tenant is read-only for a moment while its database moves to another server (tenant-moving); nothing was changed.";
            }
        }

        if (isTenantRoute)
        {
            statuses[400] = "Missing or malformed x-tenant-id, or invalid input (the problem's field names it).";
            statuses[403] = "Key of another tenant, tenant suspended (type ends in tenant-suspended), " + (permission is null ? "or a plan limit." : $"missing '{permission}', or a plan limit (type ends in plan-limit).");
            statuses[404] = "Unknown tenant" + (path.Contains('{') ? ", or no such object in this tenant." : ".");
        }

        if (hasBody || operation.Parameters.Any(p => p.In == ParameterLocation.Query) || path.Contains('{'))
        {
            statuses[400] = statuses.GetValueOrDefault(400) ?? "Invalid input; the problem's field names it.";
        }

        if (hasBody)
        {
            statuses[413] = "Body too large.";
            statuses[415] = "Body is not application/json.";
        }

        if (path.Contains('{'))
        {
            statuses[404] = statuses.GetValueOrDefault(404) ?? "No such object.";
        }

        foreach (var (status, why) in Specific(method, path))
        {
            statuses[status] = why;
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, why) in statuses)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse
                {
                    Description = why,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                    },
                };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Closed sets of strings in request bodies get their enums; nullable properties are not required (a client may leave them out).</summary>
    public static Task Schema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        // Enums of our string-valued enums (statuses) say they are strings, so generators do not take them for numbers.
        if (schema.Enum is { Count: > 0 } && schema.Type is null)
        {
            schema.Type = JsonSchemaType.String;
        }

        if (schema.Properties is { } properties)
        {
            Enum(properties, "role", Roles.All);
            Enum(properties, "plan", Plans.All);
            Enum(properties, "kinds", SyncKinds.All, items: true);
            Enum(properties, "trigger", SyncTriggers.All);
            Enum(properties, "permissions", Permissions.All, items: true);
            if (schema.Required is { Count: > 0 } required)
            {
                foreach (var (name, property) in properties)
                {
                    if (property is OpenApiSchema { Type: { } type } && type.HasFlag(JsonSchemaType.Null))
                    {
                        required.Remove(name);
                    }
                }
            }
        }

        return Task.CompletedTask;
    }

    private static void Enum(IDictionary<string, IOpenApiSchema> properties, string name, IEnumerable<string> values, bool items = false)
    {
        if (properties.TryGetValue(name, out var property) && property is OpenApiSchema schema)
        {
            var target = items ? schema.Items as OpenApiSchema : schema;
            if (target is not null)
            {
                target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)!)];
            }
        }
    }

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Meta webhooks"] = "Meta's handshake and signed notifications about comments (the app's callback).",
        ["Operator: tenants"] = "Provisioning, plans, suspension, moves and deletion of tenants; operator key.",
        ["Operator: database servers"] = "The database servers tenants are placed on; operator key.",
        ["Tenant"] = "The caller's tenant: its settings, usage and audit log.",
        ["Members"] = "Members of the tenant, their roles, permissions and keys.",
        ["Channels"] = "Connected Facebook Pages and Instagram accounts, their syncs and synced data.",
        ["Analytics"] = "Figures across the tenant's channels.",
        ["Posts"] = "Posts: composing, approval, the calendar and publishing.",
        ["Webhooks"] = "The tenant's outbound webhook endpoints and their deliveries.",
        ["Inbox"] = "Conversations on the tenant's channels: replies, assignment and moderation.",
    };

    private static IEnumerable<(int Status, string Why)> Specific(string method, string path) => (method, path) switch
    {
        ("POST", "/admin/tenants") => [(409, "A tenant with this id exists."), (500, "A provisioning step failed; everything it created was removed (the problem's step names it).")],
        ("POST", "/admin/tenants/{id}/move") => [(400, "No database server has this name (the problem's field is server)."), (409, "The tenant is already on that server, or its engine cannot move databases."),
            (500, "The move failed and was undone; the tenant stays where it was, writable. The problem's step says why: verify (the copy did not match the original) or target (the target server is down, refused the login, lacks CREATEDB, or the copy ran past the read-only bound).")],
        ("DELETE", "/admin/tenants/{id}") => [(400, "The x-confirm-delete header is missing or does not repeat the id.")],
        ("POST", "/admin/tenants/{id}/members/{memberId}/keys") => [(409, "The member holds the most keys allowed.")],
        ("POST", "/api/members") => [(409, "A member with this email exists.")],
        ("PATCH", "/api/members/{memberId}") or ("DELETE", "/api/members/{memberId}") => [(409, "The last owner cannot be demoted or removed.")],
        ("POST", "/api/members/{memberId}/keys") => [(409, "The member holds the most keys allowed.")],
        ("POST", "/api/channels/{channelId}/sync") => [(409, "The channel is paused or needs re-authorisation."), (429, "The channel's manual syncs for the hour are spent (timeToReset, Retry-After), or over the tenant's request rate.")],
        ("POST", "/api/channels/facebook") or ("POST", "/api/channels/instagram") or ("PUT", "/api/channels/{channelId}/token") => [(502, "Facebook refused the token or could not be reached."),
            (503, "Briefly unavailable, with Retry-After: Facebook's rate budget for this app is spent for the moment (type ends in graph-budget; nothing was done), a server of the cluster failed while answering (cluster-unavailable), the database had no capacity (storage-busy), or the tenant is read-only while its database moves (tenant-moving).")],
        ("POST", "/api/posts") => [(422, "The Idempotency-Key was used with a different body.")],
        ("PATCH", "/api/posts/{postId}") or ("DELETE", "/api/posts/{postId}") or ("POST", "/api/posts/{postId}/submit") or ("POST", "/api/posts/{postId}/reject") =>
            [(409, "The post's status does not allow this (publishing started, say)."), (412, "If-Match names a version the post no longer has: it changed since it was read (currentETag holds the version now). Nothing was changed.")],
        ("POST", "/api/posts/{postId}/approve") =>
            [(409, "The post's status does not allow this (publishing started, say)."), (412, "If-Match names a version the post no longer has: it changed since it was read (currentETag holds the version now). Nothing was changed."),
             (403, "Missing 'posts:approve', a plan limit (plan-limit), or four eyes: the approver is the author or changed the content since the last approval.")],
        ("POST", "/api/inbox/{conversationId}/replies") => [(409, "The comment was deleted on the platform; it takes no replies."),
            (422, "The Idempotency-Key was used with another reply text.")],
        ("POST", "/api/inbox/{conversationId}/hide") or ("POST", "/api/inbox/{conversationId}/unhide") or ("DELETE", "/api/inbox/{conversationId}") =>
            [(409, "The channel needs re-authorisation or is paused, the platform refused the change, or (hide, unhide) the comment was deleted."),
             (502, "The Graph API failed; try again later."),
             (503, "Briefly unavailable, with Retry-After: the Page's rate budget is spent for the moment (graph-budget; nothing was done), a server of the cluster failed (cluster-unavailable), the database had no capacity (storage-busy), or the tenant is read-only while its database moves (tenant-moving).")],
        _ => [],
    };

    private static string OperationId(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description, IList<object> metadata) =>
        metadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName
        ?? metadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault(m => !m.Name.Contains('<'))?.Name
        ?? $"{description.HttpMethod}{string.Concat((description.RelativePath ?? "").Split('/', '{', '}', '-').Select(s => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..]))}";
}

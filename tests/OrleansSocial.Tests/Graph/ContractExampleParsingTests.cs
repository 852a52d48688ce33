using System.Text.Json;
using OrleansSocial.Graph;
using OrleansSocial.Graph.Json;
using OrleansSocial.Graph.Models;

namespace OrleansSocial.Tests.Graph;

/// <summary>
/// The example responses of shared/graph-api-contract.md (synthetic, written for that spec)
/// parse with the client's own types and options: tolerant of +0000 timestamps, ids as
/// numbers, insight values as numbers or objects, missing optional fields.
/// </summary>
public sealed class ContractExampleParsingTests
{
    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, GraphJson.Options)!;

    private static List<T> Data<T>(string json) => JsonDocument.Parse(json).RootElement.GetProperty("data").Deserialize<List<T>>(GraphJson.Options)!;

    [Fact]
    public void Exchange_response_with_and_without_expires_in()
    {
        Assert.Equal(5183944, Parse<LongLivedToken>("""{"access_token":"EAAB...","token_type":"bearer","expires_in":5183944}""").ExpiresIn);
        Assert.Null(Parse<LongLivedToken>("""{"access_token":"EAAB...","token_type":"bearer"}""").ExpiresIn);
    }

    [Fact]
    public void Debug_token_data_with_numeric_ids_never_expiring_and_error_forms()
    {
        var valid = JsonDocument.Parse("""
            { "data": { "app_id": 1234567890, "type": "USER", "application": "Our App", "data_access_expires_at": 1735689600,
              "expires_at": 1733097600, "is_valid": true, "issued_at": 1727913600,
              "scopes": ["pages_show_list","pages_read_engagement","instagram_basic"],
              "granular_scopes": [ {"scope": "pages_show_list"}, {"scope": "instagram_basic", "target_ids": ["17841400000000001"]} ],
              "user_id": "10150000000000001", "profile_id": "100000000000001" } }
            """).RootElement.GetProperty("data").Deserialize<TokenInfo>(GraphJson.Options)!;
        Assert.Equal("1234567890", valid.AppId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1733097600), valid.ExpiresAt);
        Assert.Equal(3, valid.Scopes!.Count);

        var never = Parse<TokenInfo>("""{"app_id":"1","type":"PAGE","expires_at":0,"is_valid":true}""");
        Assert.Null(never.ExpiresAt);

        var expired = Parse<TokenInfo>("""{"is_valid":false,"error":{"code":190,"message":"Error validating access token: Session has expired on ...","subcode":463}}""");
        Assert.False(expired.IsValid);
        Assert.Equal(463, expired.Error!.Subcode);
    }

    [Fact]
    public void Accounts_with_tasks_categories_and_the_linked_instagram_account()
    {
        var accounts = Data<PageAccount>("""
            { "data": [
                { "access_token": "EAAG…page…", "category": "Product/Service",
                  "category_list": [{"id": "2201", "name": "Product/Service"}],
                  "name": "Acme Bakery", "id": "100000000000001",
                  "tasks": ["ANALYZE","ADVERTISE","MESSAGING","MODERATE","CREATE_CONTENT","MANAGE"],
                  "instagram_business_account": {"id": "17841400000000001"} } ],
              "paging": { "cursors": {"before": "…", "after": "…"} },
              "summary": {"total_count": 1} }
            """);
        var page = Assert.Single(accounts);
        Assert.Equal("17841400000000001", page.InstagramBusinessAccount!.Id);
        Assert.Equal(6, page.Tasks!.Count);
        Assert.Equal("2201", page.CategoryList![0].Id);
    }

    [Fact]
    public void Posts_with_plus_0000_timestamps_and_summaries_from_field_expansion()
    {
        var post = Assert.Single(Data<PagePost>("""
            { "data": [
               { "id": "100000000000001_200000000000001", "message": "Fresh croissants today!",
                 "created_time": "2026-06-01T07:30:00+0000", "permalink_url": "https://www.facebook.com/100000000000001/posts/200000000000001",
                 "shares": {"count": 3},
                 "comments": {"data": [], "summary": {"order": "ranked", "total_count": 2, "can_comment": true}},
                 "reactions": {"data": [], "summary": {"total_count": 17, "viewer_reaction": "NONE"}} } ],
              "paging": { "cursors": {"before": "…", "after": "…"}, "next": "…" } }
            """));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 7, 30, 0, TimeSpan.Zero), post.CreatedTime);
        Assert.Equal((2, 17, 3), (post.CommentCount, post.ReactionCount, post.ShareCount));
    }

    [Fact]
    public void Page_insights_with_number_and_object_values()
    {
        var series = Data<InsightSeries>("""
            { "data": [
               { "name": "page_post_engagements", "period": "day",
                 "values": [ {"value": 12, "end_time": "2026-06-02T07:00:00+0000"}, {"value": 30, "end_time": "2026-06-03T07:00:00+0000"} ],
                 "title": "Daily Post Engagements", "description": "Daily: …", "id": "100000000000001/insights/page_post_engagements/day" },
               { "name": "page_follows_country", "period": "day",
                 "values": [ {"value": {"US": 120, "FR": 33}, "end_time": "2026-06-03T07:00:00+0000"} ],
                 "title": "…", "description": "…", "id": "100000000000001/insights/page_follows_country/day" } ],
              "paging": { "previous": "…", "next": "…" } }
            """);
        Assert.Equal(42, series[0].Values!.Sum(v => v.Value!.Total));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 7, 0, 0, TimeSpan.Zero), series[0].Values![0].EndTime);
        Assert.Equal(120, series[1].Values![0].Value!.Breakdown!["US"]);
        Assert.Equal(153, series[1].Values![0].Value!.Total);
    }

    [Fact]
    public void Lifetime_values_without_end_time_parse()
    {
        var series = Assert.Single(Data<InsightSeries>("""{"data":[{"name":"post_media_view","period":"lifetime","values":[{"value":88}],"id":"x/insights/post_media_view/lifetime"}]}"""));
        Assert.Null(series.Values![0].EndTime);
        Assert.Equal(88, series.Values[0].Value!.Number);
    }

    [Fact]
    public void Instagram_user_and_total_value_insights_with_breakdowns()
    {
        var user = Parse<InstagramProfile>("""
            {"id":"17841400000000001","username":"acme.bakery","name":"Acme Bakery",
             "biography":"Bread since 1999","website":"https://acme.example",
             "profile_picture_url":"https://scontent.xx.fbcdn.net/…","followers_count":1200,
             "follows_count":80,"media_count":342}
            """);
        Assert.Equal((1200, 80, 342), (user.FollowersCount!.Value, user.FollowsCount!.Value, user.MediaCount!.Value));

        var reach = Assert.Single(Data<InsightSeries>("""
            { "data": [
               { "name": "reach", "period": "day", "title": "Accounts reached", "description": "…",
                 "total_value": { "value": 5400,
                    "breakdowns": [ { "dimension_keys": ["media_product_type","follow_type"],
                                      "results": [ {"dimension_values": ["POST","FOLLOWER"], "value": 3000},
                                                   {"dimension_values": ["REEL","NON_FOLLOWER"], "value": 2400} ] } ] },
                 "id": "17841400000000001/insights/reach/day" } ],
              "paging": { "previous": "…", "next": "…" } }
            """));
        Assert.Equal(5400, reach.TotalValue!.Value!.Number);
        Assert.Equal(2, reach.TotalValue.Breakdowns!.Value[0].GetProperty("results").GetArrayLength());
        Assert.Null(reach.Values);
    }

    [Fact]
    public void Publishing_answers_container_status_and_quota()
    {
        Assert.Equal("100000000000001_200000000000009", Parse<CreatedObject>("""{"id":"100000000000001_200000000000009"}""").Id);
        Assert.Equal("300000000000001", Parse<CreatedObject>("""{"id":"300000000000001","post_id":"100000000000001_200000000000010"}""").Id);
        Assert.Equal("FINISHED", Parse<ContainerStatus>("""{"id":"17960000000000001","status":"Finished: Media has been uploaded and it is ready to be published.","status_code":"FINISHED"}""").StatusCode);
        var limit = Assert.Single(Data<PublishingLimit>("""{"data":[{"quota_usage":2,"config":{"quota_total":50,"quota_duration":86400}}]}"""));
        Assert.Equal((2, 50), (limit.QuotaUsage, limit.Config!.QuotaTotal!.Value));
    }

    [Fact]
    public void Error_envelopes_classify_by_code_not_status()
    {
        var throttled = GraphException.FromBody("""
            { "error": { "message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4, "is_transient": true, "fbtrace_id": "AbCdEf123" } }
            """, 400, GraphUsage.None)!;
        Assert.Equal((GraphErrorKind.Throttled, "AbCdEf123"), (throttled.Kind, throttled.FbTraceId));

        var invalidMetric = GraphException.FromBody("""{"error":{"message":"(#100) The value must be a valid insights metric","type":"OAuthException","code":100}}""", 400, GraphUsage.None)!;
        Assert.True(invalidMetric.IsInvalidMetric);

        var server = GraphException.FromBody("""{"error":{"message":"(#2) Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true}}""", 500, GraphUsage.None)!;
        Assert.Equal(GraphErrorKind.Transient, server.Kind);

        var igQuota = GraphException.FromBody("""{"error":{"message":"You reached maximum number of posts","type":"OAuthException","code":9,"error_subcode":2207042}}""", 400, GraphUsage.None)!;
        Assert.Equal((GraphErrorKind.Throttled, 2207042), (igQuota.Kind, igQuota.Subcode!.Value));

        var oldDialog = GraphException.FromBody("""{"error_type":"OAuthException","code":190,"error_message":"Invalid token"}""", 400, GraphUsage.None)!;
        Assert.Equal(GraphErrorKind.TokenInvalid, oldDialog.Kind);

        Assert.Null(GraphException.FromBody("""{"id":"1"}""", 200, GraphUsage.None));
    }

    [Fact]
    public void Usage_headers_parse_including_strings_floats_and_several_types_per_object()
    {
        var headers = new Dictionary<string, string>
        {
            ["X-App-Usage"] = """{"call_count":28,"total_cputime":25,"total_time":25}""",
            ["X-Business-Use-Case-Usage"] = """{"100000000000001":[{"type":"pages","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0,"ads_api_access_tier":"development_access"},{"type":"messenger","call_count":"101","total_cputime":2.5,"total_time":3,"estimated_time_to_regain_access":7}]}""",
            ["X-Page-Usage"] = """{"call_count":3,"total_cputime":1,"total_time":2}""",
        };

        var usage = GraphUsage.From(name => headers.TryGetValue(name, out var value) ? value : null);

        Assert.Equal(28, usage.App!.CallCount);
        Assert.Equal(2, usage.BusinessUseCases.Count);
        Assert.Equal(101, usage.BusinessUseCases[1].Level.CallCount);
        Assert.Equal(TimeSpan.FromMinutes(7), usage.RegainAfter);
        Assert.Equal(101, usage.MaxPercent);
        Assert.Equal(3, usage.Page!.CallCount);

        // Absent headers mean "no data", not zero usage.
        var none = GraphUsage.From(_ => null);
        Assert.Null(none.App);
        Assert.Null(none.Page);
        Assert.Empty(none.BusinessUseCases);
    }
}

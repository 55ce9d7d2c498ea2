using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SdNative.Server;

/// <summary>GET /api/jobs (status, workflow_id, sort_by, sort_order, limit, offset) and /api/jobs/{id}; comfy-compat §3.5.</summary>
public static class JobsRoutes
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/jobs", List);
        routes.MapGet("/jobs/{promptId}", (string promptId, PromptQueue queue) =>
        {
            if (queue.HistoryEntry(promptId) is { } entry)
            {
                return Results.Json(Jobs.FromHistory(promptId, entry, withDetails: true));
            }
            var (running, pending) = queue.Snapshot();
            if (running?.PromptId == promptId)
            {
                return Results.Json(Jobs.FromQueue(running, "in_progress"));
            }
            return pending.FirstOrDefault(p => p.PromptId == promptId) is { } waiting
                ? Results.Json(Jobs.FromQueue(waiting, "pending"))
                : Results.Json(new JsonObject { ["error"] = "Job not found" }, statusCode: StatusCodes.Status404NotFound);
        });
        return routes;
    }

    private static IResult List(HttpRequest request, PromptQueue queue)
    {
        var query = request.Query;
        var statuses = Jobs.Statuses.ToList();
        if (query["status"].ToString() is { Length: > 0 } asked)
        {
            statuses = asked.Split(',').Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).ToList();
            var invalid = statuses.Where(s => !Jobs.Statuses.Contains(s)).ToList();
            if (invalid.Count > 0)
            {
                return Error($"Invalid status value(s): {string.Join(", ", invalid)}. Valid values: {string.Join(", ", Jobs.Statuses)}");
            }
        }
        string sortBy = (query["sort_by"].ToString() is { Length: > 0 } s1 ? s1 : "created_at").ToLowerInvariant();
        string sortOrder = (query["sort_order"].ToString() is { Length: > 0 } s2 ? s2 : "desc").ToLowerInvariant();
        if (sortBy is not ("created_at" or "execution_duration"))
        {
            return Error("sort_by must be 'created_at' or 'execution_duration'");
        }
        if (sortOrder is not ("asc" or "desc"))
        {
            return Error("sort_order must be 'asc' or 'desc'");
        }
        int? limit = null;
        if (query.ContainsKey("limit"))
        {
            if (!int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int l))
            {
                return Error("limit must be an integer");
            }
            if (l <= 0)
            {
                return Error("limit must be a positive integer");
            }
            limit = l;
        }
        int offset = 0;
        if (query.ContainsKey("offset") && !int.TryParse(query["offset"], NumberStyles.Integer, CultureInfo.InvariantCulture, out offset))
        {
            return Error("offset must be an integer");
        }
        offset = Math.Max(offset, 0);

        var jobs = new List<JsonObject>();
        var (running, pending) = queue.Snapshot();
        if (statuses.Contains("in_progress") && running is not null)
        {
            jobs.Add(Jobs.FromQueue(running, "in_progress"));
        }
        if (statuses.Contains("pending"))
        {
            jobs.AddRange(pending.Select(p => Jobs.FromQueue(p, "pending")));
        }
        foreach (var (id, entry) in queue.History(null, -1))
        {
            var job = Jobs.FromHistory(id, entry!.AsObject());
            if (statuses.Contains(job["status"]!.GetValue<string>()))
            {
                jobs.Add(job);
            }
        }
        if (query["workflow_id"].ToString() is { Length: > 0 } workflow)
        {
            jobs = jobs.Where(j => JsonFields.String(j["workflow_id"]) == workflow).ToList();
        }
        // A stable sort, as Python's sorted(): equal keys keep running, pending, history order.
        Func<JsonObject, double> key = sortBy == "execution_duration" ? Duration : j => Number(j["create_time"]);
        var sorted = sortOrder == "desc" ? jobs.OrderByDescending(key).ToList() : jobs.OrderBy(key).ToList();
        var page = sorted.Skip(offset).Take(limit ?? int.MaxValue).ToList();
        return Results.Json(new JsonObject
        {
            ["jobs"] = new JsonArray(page.Select(j => (JsonNode?)j).ToArray()),
            ["pagination"] = new JsonObject
            {
                ["offset"] = offset,
                ["limit"] = limit,
                ["total"] = sorted.Count,
                ["has_more"] = offset + page.Count < sorted.Count,
            },
        });
    }

    private static double Duration(JsonObject job)
    {
        double start = Number(job["execution_start_time"]), end = Number(job["execution_end_time"]);
        return start != 0 && end != 0 ? end - start : 0;
    }

    private static double Number(JsonNode? node) =>
        node is not JsonValue v ? 0 : v.TryGetValue<long>(out var whole) ? whole : v.TryGetValue<double>(out var d) ? d : 0;

    private static IResult Error(string message) => Results.Json(new JsonObject { ["error"] = message }, statusCode: StatusCodes.Status400BadRequest);
}

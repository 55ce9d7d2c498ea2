using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SdNative.Server.Tests;

public class JsonBodiesTests
{
    private static HttpRequest Request(string body, bool declareLength = true)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = "application/x-www-form-urlencoded"; // urllib's default, as the examples post
        if (declareLength)
        {
            context.Request.ContentLength = bytes.Length;
        }
        return context.Request;
    }

    private static Task<JsonBody> Read(string body, long maxBytes = 1024, bool allowEmpty = false, bool declareLength = true) =>
        JsonBodies.ReadAsync(Request(body, declareLength), maxBytes, allowEmpty, CancellationToken.None);

    private static (int Status, string Type, string Message) Refusal(JsonBody body)
    {
        Assert.NotNull(body.Error);
        var status = ((IStatusCodeHttpResult)body.Error!).StatusCode!.Value;
        var value = (JsonObject)((IValueHttpResult)body.Error).Value!;
        return (status, value["error"]!["type"]!.GetValue<string>(), value["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsonIsReadWhateverTheContentType()
    {
        var body = await Read("{\"prompt\": {\"3\": {\"class_type\": \"KSampler\"}}, \"seed\": 18446744073709551615}");
        Assert.Null(body.Error);
        Assert.Equal("KSampler", body.Value!["prompt"]!["3"]!["class_type"]!.GetValue<string>());
        Assert.Equal(18446744073709551615UL, body.Value!["seed"]!.GetValue<ulong>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // chunked: no Content-Length, counted as it arrives
    public async Task ABodyOverTheLimitIs413(bool declareLength)
    {
        string json = "{\"text\": \"" + new string('x', 200) + "\"}";
        Assert.Equal(413, Refusal(await Read(json, maxBytes: 100, declareLength: declareLength)).Status);
        Assert.Null((await Read(json, maxBytes: json.Length, declareLength: declareLength)).Error);
    }

    [Fact]
    public async Task NestingIsAcceptedTo64LevelsAndRefusedBeyond()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        Assert.Null((await Read(Nested(64), maxBytes: 100_000)).Error);
        var (status, type, message) = Refusal(await Read(Nested(65), maxBytes: 100_000));
        Assert.Equal((400, "invalid_json"), (status, type));
        Assert.Contains("nested deeper than 64", message);
        // A hostile depth is refused without exhausting anything.
        Assert.Equal(400, Refusal(await Read(Nested(100_000), maxBytes: 1_000_000)).Status);
    }

    [Theory]
    [InlineData("{\"prompt\": ", "not valid JSON")]
    [InlineData("{'prompt': 1}", "not valid JSON")]
    [InlineData("{\"a\": 1, \"a\": 2}", "Duplicate property 'a'")]
    [InlineData("", "empty")]
    [InlineData("  \n", "empty")]
    public async Task BadBodiesAre400NamingTheProblem(string json, string expected)
    {
        var (status, _, message) = Refusal(await Read(json));
        Assert.Equal(400, status);
        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task AnEmptyBodyIsNoValueWhereAllowed()
    {
        var body = await Read("", allowEmpty: true);
        Assert.Equal((null, null), (body.Value, body.Error));
    }
}

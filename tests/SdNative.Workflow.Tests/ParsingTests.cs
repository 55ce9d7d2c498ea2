using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

public class ParsingTests
{
    [Fact]
    public void BareNodeMapAndPromptBodyAreBothAccepted()
    {
        var bare = WorkflowDocument.Parse("""{"1": {"class_type": "ImageInvert", "inputs": {}}}""");
        Assert.Equal(WorkflowFormat.ApiNodeMap, bare.Format);
        Assert.Null(bare.ExtraPngInfo);

        var body = WorkflowDocument.Parse("""
            {"prompt": {"1": {"class_type": "ImageInvert", "inputs": {}}},
             "extra_data": {"extra_pnginfo": {"workflow": {"nodes": [], "links": []}}}}
            """);
        Assert.Equal(WorkflowFormat.PromptRequest, body.Format);
        Assert.True(body.Prompt.ContainsKey("1"));
        Assert.Equal("""{"nodes":[],"links":[]}""", body.ExtraPngInfo!["workflow"]!.ToJsonString());
    }

    [Fact]
    public void NodeNamedPromptIsANodeNotABody()
    {
        var doc = WorkflowDocument.Parse("""{"prompt": {"class_type": "CLIPTextEncode", "inputs": {}}}""");
        Assert.Equal(WorkflowFormat.ApiNodeMap, doc.Format);
        Assert.True(doc.Prompt.ContainsKey("prompt"));
    }

    [Theory]
    [InlineData("{\"1\": {", "invalid_prompt", "Invalid JSON")]
    [InlineData("[1, 2]", "invalid_prompt", "Invalid prompt")]
    [InlineData("{\"extra_data\": {}}", "no_prompt", "No prompt provided")]
    [InlineData("{\"prompt\": null}", "no_prompt", "No prompt provided")]
    [InlineData("{\"nodes\": [], \"links\": []}", "invalid_prompt", "Invalid prompt")]
    public void BadInputGivesComfyErrorBody(string json, string type, string message)
    {
        var ex = Assert.Throws<WorkflowValidationException>(() => WorkflowDocument.Parse(json));
        Assert.Equal(type, ex.Body["error"]!["type"]!.GetValue<string>());
        Assert.Equal(message, ex.Body["error"]!["message"]!.GetValue<string>());
        Assert.Equal("{}", ex.Body["node_errors"]!.ToJsonString());
        Assert.Equal("{}", ex.Body["error"]!["extra_info"]!.ToJsonString());
    }

    [Fact]
    public void OverridesFindNodesByIdOrTitle()
    {
        var prompt = (JsonObject)JsonNode.Parse("""
            {"3": {"class_type": "KSampler", "inputs": {"seed": 1}, "_meta": {"title": "sampler"}}}
            """)!;
        WorkflowRunner.ApplyOverrides(prompt, [new("3.steps", "9"), new("sampler.seed", "77"), new("sampler.sampler_name", "Euler a")]);
        Assert.Equal("9", prompt["3"]!["inputs"]!["steps"]!.ToJsonString());
        Assert.Equal("77", prompt["3"]!["inputs"]!["seed"]!.ToJsonString());
        Assert.Equal("Euler a", prompt["3"]!["inputs"]!["sampler_name"]!.GetValue<string>());
        Assert.Throws<WorkflowValidationException>(() => WorkflowRunner.ApplyOverrides(prompt, [new("nope.seed", "1")]));
    }
}

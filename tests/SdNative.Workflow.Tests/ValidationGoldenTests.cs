using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>Each golden file holds a prompt and the body ComfyUI answers it with, written from
/// the spec's tables (§3.4). Compared as json.dumps text, so key order and int/float matter.
/// (ComfyUI's traceback lists cannot be reproduced; the goldens expect an empty list.)</summary>
public class ValidationGoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ErrorBodyMatchesGolden(string name)
    {
        using var folders = new TestFolders();
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json")))!;
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var result = runner.Validate(golden["prompt"]!.ToJsonString(), folders.Options);
        Assert.False(result.IsValid);
        Assert.Equal(PythonJson.Dumps(golden["expected"]), PythonJson.Dumps(PyValues.Normalize(result.ToErrorBody())));
    }

    [Fact]
    public void EveryGoldenTypeIsCovered()
    {
        var names = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).ToHashSet();
        foreach (var type in new[]
        {
            "prompt_no_outputs", "required_input_missing", "bad_linked_input", "return_type_mismatch", "invalid_input_type",
            "value_smaller_than_min", "value_bigger_than_max", "value_not_in_list", "exception_during_inner_validation",
            "exception_during_validation", "custom_validation_failed", "prompt_outputs_failed_validation",
            "dependency_cycle",
        })
        {
            Assert.Contains(type, names);
        }
    }
}

using System.Text.Json.Nodes;

namespace SdNative.Cli.Tests.Fidelity;

/// <summary>An oracle case on a converted copy of its checkpoint: `sdnative convert` writes the
/// checkpoint in another weight type into &lt;work&gt;/models/checkpoints (a q8_0 GGUF of the
/// SD1.5 checkpoint: 1.7 GB, about 10 s), and the case's workflow is copied beside it with every
/// `ckpt_name` naming the converted file, so the workflow is otherwise the case's own.</summary>
public static class OracleConversion
{
    /// <summary>Returns the models folder and the rewritten workflow.</summary>
    public static (string Models, string Workflow) Prepare(string caseJson, string checkpoint, string type, string work)
    {
        var models = Path.Combine(work, "models");
        var checkpoints = Directory.CreateDirectory(Path.Combine(models, "checkpoints")).FullName;
        var name = Path.GetFileNameWithoutExtension(checkpoint) + "-" + type + ".gguf";
        var (code, stdout, stderr) = CliProcess.Run(null, "convert", checkpoint, Path.Combine(checkpoints, name), "--type", type);
        Assert.True(code == 0, $"sdnative convert --type {type} failed ({code}):\n{stdout}\n{stderr}");

        var workflow = JsonNode.Parse(File.ReadAllText(caseJson))!.AsObject();
        var renamed = 0;
        foreach (var (_, node) in workflow)
        {
            if (node?["inputs"] is JsonObject inputs && inputs.ContainsKey("ckpt_name"))
            {
                inputs["ckpt_name"] = name;
                renamed++;
            }
        }
        Assert.True(renamed > 0, "the case loads no checkpoint: " + caseJson);
        var rewritten = Path.Combine(work, Path.GetFileNameWithoutExtension(caseJson) + "-" + type + ".json");
        File.WriteAllText(rewritten, workflow.ToJsonString());
        return (models, rewritten);
    }
}

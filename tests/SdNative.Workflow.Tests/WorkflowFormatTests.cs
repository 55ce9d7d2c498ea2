namespace SdNative.Workflow.Tests;

public class WorkflowFormatTests
{
    [Fact]
    public void BothAcceptedShapesAreNamed()
    {
        Assert.Equal(new[] { "ApiNodeMap", "PromptRequest" }, Enum.GetNames<WorkflowFormat>());
    }
}

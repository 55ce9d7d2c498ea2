using SdNative.Workflow;

namespace SdNative.Server;

/// <summary>ComfyUI's validate_prompt for POST /prompt: the workflow runner's validator on the server's folders.</summary>
public sealed class PromptValidator(ServerOptions options)
{
    private readonly WorkflowRunner _validator = new();

    public ValidationResult Validate(WorkflowDocument document) => _validator.Validate(document, options.RunOptions());
}

namespace SdNative.Workflow;

/// <summary>The shapes of workflow JSON this runner accepts.</summary>
public enum WorkflowFormat
{
    /// <summary>A bare API-format node map: { "id": { "class_type": ..., "inputs": ... } }.</summary>
    ApiNodeMap,

    /// <summary>A /prompt request body: { "prompt": { ... }, "extra_data": ... }.</summary>
    PromptRequest,
}

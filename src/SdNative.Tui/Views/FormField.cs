using System.Text.Json.Nodes;
using SdNative.Tui.Workflow;
using Terminal.Gui.ViewBase;

namespace SdNative.Tui.Views;

/// <summary>One editor on the generate screen bound to one input of one node: it reads the
/// input into the editor and writes the checked value back.</summary>
public sealed class FormField(string label, string node, string input, InputRange? range, View editor, Func<string> read, Action<string> write)
{
    public string Label { get; } = label;
    public string Node { get; } = node;
    public string Input { get; } = input;
    public InputRange? Range { get; } = range;
    public View Editor { get; } = editor;

    public string Text
    {
        get => read();
        set => write(value);
    }

    /// <summary>Checks the editor's text against the input's range and writes it into the prompt.</summary>
    public bool TryCommit(GenerateInputs inputs, out string error)
    {
        JsonNode? value;
        if (Range is null)
        {
            value = JsonValue.Create(Text);
            error = "";
        }
        else if (!Range.TryParse(Text, out value, out error))
        {
            error = $"{Label}: {error}";
            return false;
        }
        inputs.Set(Node, Input, value);
        return true;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using SdNative.Tui.Workflow;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>
/// Every node and input of the loaded workflow as a tree, with ComfyUI's validation errors
/// under the node they belong to. Enter on an input puts its value in the edit line; Enter
/// there writes it back (JSON when it parses, else text). Ctrl+R validates again; Ctrl+O and Ctrl+S open
/// and save the workflow file named in the file line.
/// </summary>
[Screen("Nodes", Key = "F4", Order = 3)]
public sealed class NodeScreen : ListScreen, IScreen
{
    private readonly TextField _value = new() { X = 8, Y = Pos.AnchorEnd(2), Width = Dim.Fill() };
    private readonly TextField _file = new() { X = 8, Y = Pos.AnchorEnd(1), Width = Dim.Fill() };
    private IReadOnlyList<NodeRow> _rows = [];
    private JsonObject? _errors;
    private NodeRow? _editing;

    public NodeScreen(IApplication app, TuiSession session)
        : base(app, session, "Enter edits · Ctrl+R validates · Ctrl+O open / Ctrl+S save the file below")
    {
        List.Height = Dim.Fill(3);
        _file.Text = session.Origin;
        Add(new Label { Text = "value", X = 0, Y = Pos.AnchorEnd(2) }, _value, new Label { Text = "file", X = 0, Y = Pos.AnchorEnd(1) }, _file);
        List.KeyDown += (_, key) =>
        {
            if (key == Key.Enter && Selected is { Input: not null } row)
            {
                _editing = row;
                _value.Text = Session.Prompt[row.NodeId]!["inputs"]![row.Input]?.ToJsonString() ?? "";
                _value.SetFocus();
                key.Handled = true;
            }
            else if (key == Key.R.WithCtrl)
            {
                _ = ValidateAsync();
                key.Handled = true;
            }
        };
        _value.KeyDown += (_, key) =>
        {
            if (key == Key.Enter && _editing is not null)
            {
                key.Handled = Apply(_editing, _value.Text);
                List.SetFocus();
            }
        };
        KeyDown += (_, key) =>
        {
            if (key == Key.O.WithCtrl)
            {
                key.Handled = OpenFile(_file.Text);
            }
            else if (key == Key.S.WithCtrl)
            {
                key.Handled = SaveFile(_file.Text);
            }
        };
        session.WorkflowChanged += OnWorkflowChanged;
        session.ValidationChanged += OnValidation;
        Refresh();
    }

    public IReadOnlyList<NodeRow> Rows => _rows;
    public string Message => Heading.Text;

    /// <summary>The edit line's text (what Enter on an input put there).</summary>
    public string EditText => _value.Text;

    /// <summary>The file line: where Ctrl+O opens from and Ctrl+S saves to.</summary>
    public string FileText
    {
        get => _file.Text;
        set => _file.Text = value;
    }
    private NodeRow? Selected => SelectedIndex is int i && i < _rows.Count ? _rows[i] : null;

    public void OnShown() => _ = ValidateAsync();

    /// <summary>Writes a value into an input: JSON when it parses (numbers, links), else text.</summary>
    public bool Apply(NodeRow row, string text)
    {
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(text);
        }
        ((JsonObject)Session.Prompt[row.NodeId]!["inputs"]!)[row.Input!] = value;
        Session.Load(Session.Prompt, Session.Origin);
        _ = ValidateAsync();
        return true;
    }

    public bool OpenFile(string path)
    {
        try
        {
            Session.Open(path);
            Heading.Text = $"opened {path}";
            _ = ValidateAsync();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Heading.Text = e.Message;
        }
        return true;
    }

    public bool SaveFile(string path)
    {
        try
        {
            WorkflowFile.Save(Session.Prompt, path);
            Heading.Text = $"saved {path}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Heading.Text = e.Message;
        }
        return true;
    }

    public async Task ValidateAsync()
    {
        try
        {
            await Session.ValidateAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            Ui.Invoke(() => Heading.Text = $"validation failed: {e.Message}");
        }
    }

    private void OnWorkflowChanged()
    {
        _errors = null;
        _file.Text = Session.Origin;
        Refresh();
    }

    private void OnValidation(JsonObject? body) => Ui.Invoke(() =>
    {
        _errors = body;
        Heading.Text = body is null ? "valid" : $"invalid: {body["error"]?["message"]}";
        Refresh();
    });

    private void Refresh()
    {
        _rows = NodeRow.Build(Session.Prompt, _errors);
        SetLines(_rows.Select(r => r.Text));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Session.WorkflowChanged -= OnWorkflowChanged;
            Session.ValidationChanged -= OnValidation;
        }
        base.Dispose(disposing);
    }
}

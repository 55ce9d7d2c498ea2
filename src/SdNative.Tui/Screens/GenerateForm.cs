using System.Collections.ObjectModel;
using SdNative.Tui.Views;
using SdNative.Tui.Workflow;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>
/// The editors of the generate screen, built from the workflow (which node holds what) and
/// object_info (choices and ranges): source image with a thumbnail, prompts, checkpoint,
/// sampler, scheduler, steps, cfg, denoise, seed with its control_after_generate, and size.
/// </summary>
public sealed class GenerateForm : View
{
    private const int LabelWidth = 10;

    /// <summary>Combo inputs whose choices are files in a folder.</summary>
    private static readonly string[] FileInputs = ["ckpt_name", "image"];
    private readonly TuiSession _session;
    private readonly List<FormField> _fields = [];
    private readonly HalfBlockImageView _thumbnail = new() { Width = 16, Height = 4 };
    private int _row;

    public GenerateForm(TuiSession session)
    {
        _session = session;
        CanFocus = true;
        var inputs = session.Inputs;
        if (inputs.ImageNode is string image)
        {
            var picker = AddChoice("Image", image, "image");
            _thumbnail.X = LabelWidth;
            _thumbnail.Y = _row;
            Add(_thumbnail);
            _row += 4;
            picker.TextChanged += (_, _) => ShowThumbnail(picker.Text);
            ShowThumbnail(picker.Text);
        }
        if (inputs.PositiveNode is string positive)
        {
            Positive = AddText("Positive", positive, 3);
        }
        if (inputs.NegativeNode is string negative)
        {
            Negative = AddText("Negative", negative, 2);
        }
        if (inputs.CheckpointNode is string checkpoint)
        {
            AddChoice("Model", checkpoint, "ckpt_name");
        }
        if (inputs.SamplerNode is string sampler)
        {
            AddChoice("Sampler", sampler, "sampler_name");
            AddChoice("Scheduler", sampler, "scheduler");
            Steps = AddNumber("Steps", sampler, "steps");
            AddNumber("CFG", sampler, "cfg");
            Denoise = AddNumber("Denoise", sampler, "denoise");
            Seed = AddNumber("Seed", sampler, inputs.SeedInput);
            SeedControl = new DropDownList
            {
                X = LabelWidth, Y = _row, Width = Dim.Fill(),
                Source = new ListWrapper<string>(new ObservableCollection<string>(Enum.GetValues<SeedControl>().Select(SeedRule.Name))),
                // ComfyUI's default: each queued run leaves a new seed for the next.
                Text = SeedRule.Name(Workflow.SeedControl.Randomize),
            };
            Add(new Label { Text = "after run", X = 0, Y = _row }, SeedControl);
            _row++;
        }
        if (inputs.SizeNode is string size)
        {
            AddNumber("Width", size, "width");
            AddNumber("Height", size, "height");
        }
        if (_fields.Count == 0)
        {
            Add(new Label { Text = "This workflow has none of the inputs this screen edits;\nuse the node view (F4).", X = 0, Y = 0 });
        }
    }

    public IReadOnlyList<FormField> Fields => _fields;
    public View? Positive { get; }
    public View? Negative { get; }
    public NumberField? Steps { get; }
    public NumberField? Denoise { get; }
    public NumberField? Seed { get; }
    public DropDownList? SeedControl { get; }
    public HalfBlockImageView Thumbnail => _thumbnail;

    public FormField? Field(string label) => _fields.FirstOrDefault(f => f.Label == label);

    /// <summary>Writes every editor into the workflow; the first bad value stops it.</summary>
    public bool TryCommit(out string error)
    {
        var inputs = _session.Inputs;
        foreach (var field in _fields)
        {
            if (!field.TryCommit(inputs, out error))
            {
                field.Editor.SetFocus();
                return false;
            }
        }
        error = "";
        return true;
    }

    /// <summary>Writes every editor whose value is valid into the workflow and leaves the rest,
    /// so the node view and a saved file show what the form shows.</summary>
    public void CommitValid()
    {
        var inputs = _session.Inputs;
        foreach (var field in _fields)
        {
            field.TryCommit(inputs, out _);
        }
    }

    /// <summary>The seed rule the person picked (fixed when the text is not a rule).</summary>
    public SeedControl SeedRuleChosen => SeedControl is not null && SeedRule.TryParse(SeedControl.Text, out var c) ? c : Workflow.SeedControl.Fixed;

    private InputRange? Range(string node, string input) =>
        InputRange.Find(_session.ObjectInfo, _session.Inputs.ClassOf(node), input);

    private DropDownList AddChoice(string label, string node, string input)
    {
        var range = Range(node, input);
        var choices = range?.Choices ?? [];
        string value = _session.Inputs.Get(node, input) ?? "";
        if (choices.Count > 0 && !choices.Contains(value))
        {
            if (FileInputs.Contains(input))
            {
                // A workflow from elsewhere names files this machine may not have: start on one it has.
                value = choices[0];
            }
            else
            {
                // Anything else is kept as written; validation at queue time has the last word.
                range = range!.WithChoice(value);
                choices = range.Choices!;
            }
        }
        var editor = new DropDownList { Source = new ListWrapper<string>(new ObservableCollection<string>(choices)), Text = value };
        Place(label, editor, 1);
        _fields.Add(new FormField(label, node, input, range, editor, () => editor.Text, t => editor.Text = t));
        return editor;
    }

    private NumberField AddNumber(string label, string node, string input)
    {
        var range = Range(node, input);
        var editor = new NumberField { Range = range, Text = _session.Inputs.Get(node, input) ?? "" };
        Place(label, editor, 1, range is null ? null : range.Describe());
        _fields.Add(new FormField(label, node, input, range, editor, () => editor.Text, t => editor.Text = t));
        return editor;
    }

    private View AddText(string label, string node, int height)
    {
        // TextView is marked obsolete in favour of an editor in a separate package; it is the
        // multi-line editor Terminal.Gui 2.5 itself ships, and prompts need several lines.
#pragma warning disable CS0618
        var editor = new TextView { Text = _session.Inputs.Get(node, "text") ?? "", WordWrap = true };
#pragma warning restore CS0618
        Place(label, editor, height);
        _fields.Add(new FormField(label, node, "text", null, editor, () => editor.Text, t => editor.Text = t));
        return editor;
    }

    private void Place(string label, View editor, int height, string? hint = null)
    {
        editor.X = LabelWidth;
        editor.Y = _row;
        editor.Height = height;
        editor.Width = hint is null ? Dim.Fill() : Dim.Fill(hint.Length + 1);
        Add(new Label { Text = label, X = 0, Y = _row }, editor);
        if (hint is not null)
        {
            Add(new Label { Text = hint, X = Pos.AnchorEnd(hint.Length), Y = _row });
        }
        _row += height;
    }

    private void ShowThumbnail(string name)
    {
        string path = Path.Combine(_session.InputDir, name);
        try
        {
            _thumbnail.Image = name.Length > 0 && File.Exists(path) ? Engine.RgbImage.Load(path) : null;
        }
        catch (Exception e) when (e is IOException or SixLabors.ImageSharp.ImageFormatException or SixLabors.ImageSharp.UnknownImageFormatException)
        {
            _thumbnail.Image = null;
        }
    }
}

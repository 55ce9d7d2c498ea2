namespace SdNative.Tui.Screens;

/// <summary>Marks a screen of the main window: its name, the function key that shows it, and
/// its place in the status bar. The window finds screens by this attribute.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ScreenAttribute(string name) : Attribute
{
    public string Name { get; } = name;
    public required string Key { get; init; }
    public int Order { get; init; }
}

using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace SdNative.Tui.Tests;

/// <summary>Every screen (found as the window finds them) opens from its key, draws and is
/// disposed with the window.</summary>
public class ScreenTests
{
    public static TheoryData<string> ScreenNames() => new(MainWindow.ScreenTypes().Select(s => s.Meta.Name));

    [Fact]
    public void TheWindowHasTheFiveScreensOfTheIssue()
    {
        Assert.Equal(["Generate", "Queue", "History", "Nodes", "Settings"], MainWindow.ScreenTypes().Select(s => s.Meta.Name));
    }

    [Theory]
    [MemberData(nameof(ScreenNames))]
    public void EveryScreenOpensFromItsKeyAndIsDisposedWithTheWindow(string name)
    {
        using var workspace = TuiWorkspace.Empty();
        var (meta, type) = MainWindow.ScreenTypes().Single(s => s.Meta.Name == name);
        View screen;
        bool disposed = false;
        using (var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run)))
        {
            tui.Press(Key.TryParse(meta.Key, out var key) ? key : throw new InvalidOperationException(meta.Key));
            screen = tui.Window.Current;
            Assert.IsType(type, screen);
            Assert.True(screen.Visible);
            screen.Disposing += (_, _) => disposed = true;
            string text = tui.Screen();
            // The status bar names every screen and both generate keys.
            Assert.Contains("Ctrl+Enter", text);
            Assert.Contains("F5", text);
            Assert.Contains(name == "Generate" ? "Settings" : "Generate", text);
        }
        Assert.True(disposed);
    }
}

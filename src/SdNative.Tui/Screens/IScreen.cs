namespace SdNative.Tui.Screens;

/// <summary>A screen of the main window, built with (IApplication, TuiSession).</summary>
public interface IScreen
{
    /// <summary>Called when the window switches to the screen, to refresh what it lists.</summary>
    void OnShown()
    {
    }
}

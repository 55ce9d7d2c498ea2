using SdNative.Tui.Workflow;

namespace SdNative.Tui.Tests;

/// <summary>control_after_generate as ComfyUI's front end applies it to a seed widget.</summary>
public class SeedRuleTests
{
    [Theory]
    [InlineData(SeedControl.Fixed, 41UL, 41UL)]
    [InlineData(SeedControl.Increment, 41UL, 42UL)]
    [InlineData(SeedControl.Decrement, 41UL, 40UL)]
    [InlineData(SeedControl.Increment, ulong.MaxValue, 0UL)]
    [InlineData(SeedControl.Decrement, 0UL, ulong.MaxValue)]
    public void StepsAndWraps(SeedControl control, ulong seed, ulong expected) =>
        Assert.Equal(expected, SeedRule.Next(seed, control, 0, ulong.MaxValue, new Random(1)));

    [Fact]
    public void RandomizeStaysInRangeAndChanges()
    {
        var random = new Random(7);
        var drawn = Enumerable.Range(0, 200).Select(_ => SeedRule.Next(5, SeedControl.Randomize, 10, 20, random)).ToList();
        Assert.All(drawn, s => Assert.InRange(s, 10UL, 20UL));
        Assert.Equal(11, drawn.Distinct().Count());
    }

    [Fact]
    public void ParsesComfyNames()
    {
        Assert.True(SeedRule.TryParse("randomize", out var c));
        Assert.Equal(SeedControl.Randomize, c);
        Assert.False(SeedRule.TryParse("sometimes", out _));
        Assert.Equal("increment", SeedRule.Name(SeedControl.Increment));
    }
}

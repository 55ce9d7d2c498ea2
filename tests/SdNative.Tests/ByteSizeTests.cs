namespace SdNative.Tests;

/// <summary>Memory sizes as --memory-budget takes them: binary multiples, case-insensitive, with
/// or without "iB"/"B"; anything else is refused with the text it was given.</summary>
public class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("512M", 536_870_912L)]
    [InlineData("6G", 6_442_450_944L)]
    [InlineData("6g", 6_442_450_944L)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("2 GB", 2_147_483_648L)]
    [InlineData("64KiB", 65_536L)]
    [InlineData("1T", 1_099_511_627_776L)]
    [InlineData("100B", 100L)]
    public void SizesAreBinaryMultiples(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out long parsed, out string? error), error);
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1G")]
    [InlineData("6X")]
    [InlineData("G")]
    [InlineData("99999999999T")]
    public void OtherTextIsRefusedNamingIt(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _, out string? error));
        Assert.Equal($"'{text}' is not a memory size (bytes, or a number with K, M, G or T, e.g. 6G)", error);
    }
}

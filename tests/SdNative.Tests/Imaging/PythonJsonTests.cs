using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Tests.Imaging;

public class PythonJsonTests
{
    [Fact]
    public void DumpsLikePythonsJsonModule()
    {
        // json.dumps({"a": 8.0, "b": [1, "é"], "c": 0.00001, "d": True, "e": None}) in Python.
        var node = JsonNode.Parse("{\"a\":8.0,\"b\":[1,\"é\"],\"c\":0.00001,\"d\":true,\"e\":null}");
        Assert.Equal("{\"a\": 8.0, \"b\": [1, \"\\u00e9\"], \"c\": 1e-05, \"d\": true, \"e\": null}", PythonJson.Dumps(node));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456789012345.0, "123456789012345.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(7.0, "7.0")]
    public void FloatsUseReprForm(double value, string expected) => Assert.Equal(expected, PythonJson.FloatRepr(value));
}

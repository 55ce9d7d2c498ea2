using System.Globalization;
using System.Text.Json.Nodes;

namespace SdNative.Tui.Workflow;

/// <summary>One input's description from object_info: its type, ComfyUI's min/max/step for
/// numbers, the choices of a combo.</summary>
public sealed record InputRange(string Type, double? Min, double? Max, double? Step, IReadOnlyList<string>? Choices)
{
    /// <summary>The input of a class in object_info; null when object_info does not list it.</summary>
    public static InputRange? Find(JsonObject objectInfo, string classType, string input)
    {
        if (objectInfo[classType]?["input"] is not JsonObject inputs)
        {
            return null;
        }
        var config = (inputs["required"]?[input] ?? inputs["optional"]?[input]) as JsonArray;
        if (config is null || config.Count == 0)
        {
            return null;
        }
        var options = config.Count > 1 ? config[1] as JsonObject : null;
        if (config[0] is JsonArray list)
        {
            return new InputRange("COMBO", null, null, null, Strings(list));
        }
        string type = config[0]!.GetValue<string>();
        if (type == "COMBO")
        {
            return new InputRange(type, null, null, null, options?["options"] is JsonArray choices ? Strings(choices) : []);
        }
        double? step = Number(options?["step"]) ?? (type == "INT" ? 1 : null);
        return new InputRange(type, Number(options?["min"]), Number(options?["max"]), step, null);
    }

    /// <summary>Checks a typed value: a number of the right kind within min..max, or one of the choices.</summary>
    public bool TryParse(string text, out JsonNode? value, out string error)
    {
        value = null;
        error = "";
        text = text.Trim();
        if (Choices is not null)
        {
            if (!Choices.Contains(text))
            {
                error = $"'{text}' is not one of the {Choices.Count} choices";
                return false;
            }
            value = JsonValue.Create(text);
            return true;
        }
        if (Type is "INT" or "FLOAT")
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || (Type == "INT" && number != Math.Floor(number)))
            {
                error = $"'{text}' is not {(Type == "INT" ? "a whole number" : "a number")}";
                return false;
            }
            if (number < Min || number > Max)
            {
                error = $"{text} is outside {Format(Min)}..{Format(Max)}";
                return false;
            }
            value = Type == "INT" ? (text.StartsWith('-') ? JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)) : JsonValue.Create(ulong.Parse(text, CultureInfo.InvariantCulture))) : JsonValue.Create(number);
            return true;
        }
        value = JsonValue.Create(text);
        return true;
    }

    /// <summary>"0..1 step 0.01", what the form shows beside a number.</summary>
    public string Describe() => Choices is not null ? $"{Choices.Count} choices" : Min is null && Max is null ? Type.ToLowerInvariant() : $"{Format(Min)}..{Format(Max)} step {Format(Step)}";

    /// <summary>value ± one step, clamped to the range (what Up/Down do in a number field).</summary>
    public double Nudge(double value, int direction)
    {
        double next = value + direction * (Step ?? 1);
        if (Step is double s && s > 0)
        {
            next = Math.Round(next / s) * s;
        }
        return Math.Clamp(next, Min ?? double.MinValue, Max ?? double.MaxValue);
    }

    /// <summary>A bound as a person reads it; a 64-bit seed's max shows as 1.845E+19, not 20 digits.</summary>
    public static string Format(double? value) => value is null ? "?"
        : Math.Abs(value.Value) >= 1e15 ? value.Value.ToString("0.###E+0", CultureInfo.InvariantCulture)
        : value.Value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The same range with one more choice first: a workflow's value that is valid yet
    /// not listed (a sampler alias such as "dpm++ 2m karras") stays selectable.</summary>
    public InputRange WithChoice(string value) => this with { Choices = [value, .. Choices ?? []] };

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue(out double d) ? d : null;

    private static List<string> Strings(JsonArray list) => list.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : n?.ToJsonString() ?? "").ToList();
}

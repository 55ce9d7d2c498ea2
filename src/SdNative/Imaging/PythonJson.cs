using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdNative.Imaging;

/// <summary>
/// JSON text as Python's <c>json.dumps</c> writes it with default options: ", " and ": "
/// separators, non-ASCII escaped as \uXXXX, floats in repr form (8.0, 1e-05). ComfyUI stores
/// the prompt and workflow in PNG files this way.
/// </summary>
public static class PythonJson
{
    public static string Dumps(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                bool first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value);
                }
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, array[i]);
                }
                sb.Append(']');
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        var element = value.GetValue<JsonElement>();
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                WriteString(sb, element.GetString()!);
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
                {
                    sb.Append(raw);
                }
                else
                {
                    sb.Append(FloatRepr(element.GetDouble()));
                }
                break;
            default:
                sb.Append(element.GetRawText());
                break;
        }
    }

    /// <summary>Python's repr of a float: shortest round-trip digits, ".0" for integral values,
    /// exponent form below 1e-4 and from 1e16 on.</summary>
    public static string FloatRepr(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "Infinity";
        if (double.IsNegativeInfinity(v)) return "-Infinity";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        // Split into digits and decimal exponent, then lay out as Python does.
        string mantissa = r;
        int exp = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = r[..e];
            exp = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        }
        bool negative = mantissa.StartsWith('-');
        if (negative) mantissa = mantissa[1..];
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointPos = (dot < 0 ? mantissa.Length : dot) + exp;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
            pointPos--;
        }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int decimalExponent = pointPos - 1;
        string body;
        if (decimalExponent < -4 || decimalExponent >= 16)
        {
            string frac = digits.Length > 1 ? "." + digits[1..] : "";
            body = $"{digits[0]}{frac}e{(decimalExponent < 0 ? "-" : "+")}{Math.Abs(decimalExponent):D2}";
        }
        else if (pointPos <= 0)
        {
            body = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            body = digits + new string('0', pointPos - digits.Length) + ".0";
        }
        else
        {
            body = digits[..pointPos] + "." + digits[pointPos..];
        }
        return negative ? "-" + body : body;
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (ch < 0x20 || ch > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}

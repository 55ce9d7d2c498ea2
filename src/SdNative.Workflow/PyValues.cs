using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow;

/// <summary>
/// Python's view of JSON values, where validation must match ComfyUI exactly: int()/float()/
/// str()/bool() conversions, str() and repr() of values in messages, and numeric comparison.
/// Every value built here is backed by parsed JSON text, so <see cref="PythonJson"/> writes it
/// the way json.dumps would (8 → 8, float 8 → 8.0).
/// </summary>
public static class PyValues
{
    public static JsonNode Int(System.Numerics.BigInteger v) => JsonNode.Parse(v.ToString(CultureInfo.InvariantCulture))!;

    public static JsonNode Float(double v) => JsonNode.Parse(double.IsFinite(v) ? PythonJson.FloatRepr(v) : "null")!;

    public static JsonNode Str(string v) => JsonNode.Parse(JsonSerializer.Serialize(v))!;

    public static JsonNode Bool(bool v) => JsonNode.Parse(v ? "true" : "false")!;

    /// <summary>A copy backed by JSON text (values from JsonValue.Create are re-parsed).</summary>
    public static JsonNode? Normalize(JsonNode? v) => v is null ? null : JsonNode.Parse(v.ToJsonString());

    public static JsonValueKind Kind(JsonNode? v) => v switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        JsonValue value => value.GetValueKind(),
        _ => JsonValueKind.Undefined,
    };

    /// <summary>True for a JSON number written without a fraction or exponent (a Python int).</summary>
    public static bool IsIntegral(JsonNode? v) =>
        Kind(v) == JsonValueKind.Number && v!.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0;

    public static System.Numerics.BigInteger AsBigInteger(JsonNode v) =>
        System.Numerics.BigInteger.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);

    public static double AsDouble(JsonNode v) => double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Python int(v).</summary>
    public static JsonNode ToInt(JsonNode? v)
    {
        switch (Kind(v))
        {
            case JsonValueKind.Number:
                if (IsIntegral(v))
                {
                    return Int(AsBigInteger(v!));
                }
                double d = AsDouble(v!);
                if (!double.IsFinite(d))
                {
                    throw new PyException("OverflowError", "cannot convert float infinity to integer");
                }
                return Int(new System.Numerics.BigInteger(Math.Truncate(d)));
            case JsonValueKind.True:
                return Int(1);
            case JsonValueKind.False:
                return Int(0);
            case JsonValueKind.String:
                string s = v!.GetValue<string>();
                string t = s.Trim().Replace("_", "");
                if (t.Length > 0 && System.Numerics.BigInteger.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && !s.Contains("__"))
                {
                    return Int(parsed);
                }
                throw new PyException("ValueError", $"invalid literal for int() with base 10: {Repr(v)}");
            default:
                throw new PyException("TypeError", $"int() argument must be a string, a bytes-like object or a real number, not '{TypeName(v)}'");
        }
    }

    /// <summary>Python float(v).</summary>
    public static JsonNode ToFloat(JsonNode? v)
    {
        switch (Kind(v))
        {
            case JsonValueKind.Number:
                return Float(AsDouble(v!));
            case JsonValueKind.True:
                return Float(1);
            case JsonValueKind.False:
                return Float(0);
            case JsonValueKind.String:
                string s = v!.GetValue<string>().Trim();
                string lower = s.ToLowerInvariant();
                if (lower is "inf" or "+inf" or "infinity" or "+infinity" or "-inf" or "-infinity" or "nan" or "+nan" or "-nan")
                {
                    throw new PyException("ValueError", $"could not convert string to float: {Repr(v)}");
                }
                if (s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    return Float(d);
                }
                throw new PyException("ValueError", $"could not convert string to float: {Repr(v)}");
            default:
                throw new PyException("TypeError", $"float() argument must be a string or a real number, not '{TypeName(v)}'");
        }
    }

    /// <summary>Python str(v).</summary>
    public static JsonNode ToStr(JsonNode? v) => Str(Str_(v));

    /// <summary>Python bool(v): "false" is True (non-empty string).</summary>
    public static JsonNode ToBool(JsonNode? v) => Bool(Kind(v) switch
    {
        JsonValueKind.Null => false,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => AsDouble(v!) != 0,
        JsonValueKind.String => v!.GetValue<string>().Length > 0,
        JsonValueKind.Array => ((JsonArray)v!).Count > 0,
        JsonValueKind.Object => ((JsonObject)v!).Count > 0,
        _ => false,
    });

    public static string TypeName(JsonNode? v) => Kind(v) switch
    {
        JsonValueKind.Null => "NoneType",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Number => IsIntegral(v) ? "int" : "float",
        JsonValueKind.String => "str",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        _ => "object",
    };

    /// <summary>Python str(v) of a JSON-loaded value.</summary>
    public static string Str_(JsonNode? v) => Kind(v) == JsonValueKind.String ? v!.GetValue<string>() : Repr(v);

    /// <summary>Python repr(v) of a JSON-loaded value.</summary>
    public static string Repr(JsonNode? v)
    {
        switch (Kind(v))
        {
            case JsonValueKind.Null: return "None";
            case JsonValueKind.True: return "True";
            case JsonValueKind.False: return "False";
            case JsonValueKind.Number:
                return IsIntegral(v) ? AsBigInteger(v!).ToString(CultureInfo.InvariantCulture) : PythonJson.FloatRepr(AsDouble(v!));
            case JsonValueKind.String: return ReprString(v!.GetValue<string>());
            case JsonValueKind.Array: return "[" + string.Join(", ", ((JsonArray)v!).Select(Repr)) + "]";
            case JsonValueKind.Object:
                return "{" + string.Join(", ", ((JsonObject)v!).Select(kv => ReprString(kv.Key) + ": " + Repr(kv.Value))) + "}";
            default: return v!.ToJsonString();
        }
    }

    /// <summary>Python repr of a str: single quotes unless the text has ' and no ".</summary>
    public static string ReprString(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (char c in s)
        {
            if (c == quote || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>Python repr of a list of strings, as str(list) prints it.</summary>
    public static string ReprList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(ReprString)) + "]";

    /// <summary>Python's a &lt; b for two numbers (ints compared exactly).</summary>
    public static int Compare(JsonNode a, JsonNode b)
    {
        if (IsIntegral(a) && IsIntegral(b))
        {
            return AsBigInteger(a).CompareTo(AsBigInteger(b));
        }
        return AsDouble(a).CompareTo(AsDouble(b));
    }
}

/// <summary>A Python-style exception: its type name and str(ex).</summary>
public sealed class PyException(string typeName, string message) : Exception(message)
{
    public string TypeName { get; } = typeName;
}

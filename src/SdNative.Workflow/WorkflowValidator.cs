using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// ComfyUI's validate_prompt / validate_inputs (execution.py), reason for reason: every error of
/// every output is reported at once, in ComfyUI's JSON shape.
/// </summary>
public static class WorkflowValidator
{
    private sealed record Outcome(bool Valid, JsonArray Reasons);

    public static ValidationResult Validate(JsonObject prompt, ValidationContext context)
    {
        var converted = (JsonObject)prompt.DeepClone();
        foreach (var (id, node) in converted)
        {
            if (node is not JsonObject obj || obj["class_type"] is not JsonValue classValue || classValue.GetValueKind() != JsonValueKind.String)
            {
                return ValidationResult.Failed("invalid_prompt", "Cannot execute because a node is missing the class_type property.", $"Node ID '#{id}'");
            }
            string className = classValue.GetValue<string>();
            if (NodeCatalog.Find(className) is null)
            {
                return ValidationResult.Failed("invalid_prompt", $"Cannot execute because node {className} does not exist.", $"Node ID '#{id}'");
            }
        }
        var outputs = converted.Where(kv => NodeCatalog.Find(ClassOf(converted, kv.Key))!.IsOutputNode).Select(kv => kv.Key).ToList();
        if (outputs.Count == 0)
        {
            return ValidationResult.Failed("prompt_no_outputs", "Prompt has no outputs", "");
        }

        var state = new State(converted, context);
        var good = new List<string>();
        var failures = new List<(string Output, JsonArray Reasons)>();
        var nodeErrors = new JsonObject();
        foreach (var output in outputs)
        {
            Outcome outcome;
            try
            {
                outcome = state.ValidateNode(output);
            }
            catch (PyException ex)
            {
                var reasons = new JsonArray(ValidationResult.Reason("exception_during_validation", "Exception when validating node", ex.Message,
                    new JsonObject { ["exception_type"] = ex.TypeName, ["traceback"] = new JsonArray() }));
                outcome = new Outcome(false, reasons);
                state.Validated[output] = outcome;
            }
            if (outcome.Valid)
            {
                good.Add(output);
                continue;
            }
            failures.Add((output, outcome.Reasons));
            // As ComfyUI does, every failed node seen so far gets this output as a dependent.
            foreach (var (id, result) in state.Validated)
            {
                if (result.Valid || result.Reasons.Count == 0)
                {
                    continue;
                }
                if (nodeErrors[id] is not JsonObject entry)
                {
                    entry = new JsonObject
                    {
                        ["errors"] = result.Reasons.DeepClone(),
                        ["dependent_outputs"] = new JsonArray(),
                        ["class_type"] = ClassOf(converted, id),
                    };
                    nodeErrors[id] = entry;
                }
                entry["dependent_outputs"]!.AsArray().Add(output);
            }
        }
        JsonObject? error = null;
        if (good.Count == 0)
        {
            var lines = failures.SelectMany(f => f.Reasons).Select(r => $"{r!["message"]}: {r["details"]}");
            error = ValidationResult.Reason("prompt_outputs_failed_validation", "Prompt outputs failed validation", string.Join("\n", lines), new JsonObject());
        }
        return new ValidationResult(error, nodeErrors, good, converted, state.SamplerChoices, state.Warnings);
    }

    private static string ClassOf(JsonObject prompt, string id) => prompt[id]!["class_type"]!.GetValue<string>();

    /// <summary>The JSON [type, options] ComfyUI reports as input_config.</summary>
    public static JsonArray InputConfig(InputSpec spec, IReadOnlyList<string> choices)
    {
        if (!spec.IsCombo)
        {
            return new JsonArray(spec.Type, spec.Options.DeepClone());
        }
        var list = new JsonArray(choices.Select(c => (JsonNode)PyValues.Str(c)).ToArray());
        if (spec.V3Combo)
        {
            var options = (JsonObject)spec.Options.DeepClone();
            options["options"] = list;
            return new JsonArray("COMBO", options);
        }
        return new JsonArray(list, spec.Options.DeepClone());
    }

    private static bool TypesMatch(string received, string wanted)
    {
        if (received == "*" || wanted == "*" || received == wanted)
        {
            return true;
        }
        var a = received.Split(',').Select(s => s.Trim());
        var b = wanted.Split(',').Select(s => s.Trim()).ToHashSet();
        return a.Any(b.Contains);
    }

    private sealed class State(JsonObject prompt, ValidationContext context)
    {
        public Dictionary<string, Outcome> Validated { get; } = new();
        public Dictionary<string, SamplerChoice> SamplerChoices { get; } = new();
        public List<string> Warnings { get; } = new();

        public Outcome ValidateNode(string id)
        {
            if (Validated.TryGetValue(id, out var known))
            {
                return known;
            }
            int seen = _path.IndexOf(id);
            if (seen >= 0)
            {
                // ComfyUI recurses here until Python gives up with a RecursionError that names
                // no node; the path walked so far says exactly which nodes wait on each other.
                throw new DependencyCycleException(_path.Skip(seen).ToList());
            }
            _path.Add(id);
            try
            {
                return ValidateFresh(id);
            }
            finally
            {
                _path.RemoveAt(_path.Count - 1);
            }
        }

        /// <summary>The nodes being validated, each waiting on the next through a link.</summary>
        private readonly List<string> _path = new();

        /// <summary>Nodes found on a cycle → the reason each reports when its validation ends.</summary>
        private readonly Dictionary<string, JsonObject> _cycleReasons = new();

        private void NoteCycle(IReadOnlyList<string> cycle)
        {
            var reason = DependencyCycleException.Reason(cycle, id => ClassOf(prompt, id));
            foreach (var member in cycle)
            {
                _cycleReasons.TryAdd(member, reason);
            }
        }

        private Outcome ValidateFresh(string id)
        {
            var node = (JsonObject)prompt[id]!;
            var definition = NodeCatalog.Find(ClassOf(prompt, id))!;
            if (node["inputs"] is not JsonObject inputs)
            {
                inputs = new JsonObject();
                node["inputs"] = inputs;
            }
            var errors = new JsonArray();
            bool valid = true;
            foreach (var (spec, required) in definition.AllInputs)
            {
                string x = spec.Name;
                if (!inputs.ContainsKey(x))
                {
                    if (required)
                    {
                        errors.Add(ValidationResult.Reason("required_input_missing", "Required input is missing", x, new JsonObject { ["input_name"] = x }));
                    }
                    continue;
                }
                var choices = spec.IsCombo && !definition.CustomValidatedInputs.Contains(x) ? context.Choices(spec) : [];
                JsonNode? val = inputs[x];
                if (val is JsonArray link)
                {
                    if (link.Count != 2)
                    {
                        errors.Add(ValidationResult.Reason("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", x,
                            new JsonObject { ["input_name"] = x, ["input_config"] = InputConfig(spec, choices), ["received_value"] = link.DeepClone() }));
                        continue;
                    }
                    // Python: prompt[o_id]['class_type'], then RETURN_TYPES[slot]; a bad id or
                    // slot raises, and the caller reports it.
                    string linkedId = LinkedId(link[0]);
                    var linkedDefinition = NodeCatalog.Find(ClassOf(prompt, linkedId))!;
                    string receivedType = ReturnType(linkedDefinition, link[1]);
                    if (!TypesMatch(receivedType, spec.IsCombo ? "COMBO" : spec.Type))
                    {
                        errors.Add(ValidationResult.Reason("return_type_mismatch", "Return type mismatch between linked nodes",
                            $"{x}, received_type({receivedType}) mismatch input_type({(spec.IsCombo ? PyValues.ReprList(choices) : spec.Type)})",
                            new JsonObject
                            {
                                ["input_name"] = x,
                                ["input_config"] = InputConfig(spec, choices),
                                ["received_type"] = receivedType,
                                ["linked_node"] = link.DeepClone(),
                            }));
                        continue;
                    }
                    try
                    {
                        if (!ValidateNode(linkedId).Valid)
                        {
                            valid = false;
                        }
                    }
                    catch (DependencyCycleException cycle)
                    {
                        valid = false;
                        NoteCycle(cycle.Nodes);
                    }
                    catch (PyException ex)
                    {
                        valid = false;
                        Validated[linkedId] = new Outcome(false, new JsonArray(ValidationResult.Reason("exception_during_inner_validation", "Exception when validating inner node", ex.Message,
                            new JsonObject
                            {
                                ["input_name"] = x,
                                ["input_config"] = InputConfig(spec, choices),
                                ["exception_message"] = ex.Message,
                                ["exception_type"] = ex.TypeName,
                                ["traceback"] = new JsonArray(),
                                ["linked_node"] = link.DeepClone(),
                            })));
                    }
                    continue;
                }

                if (val is JsonObject wrapped && wrapped.ContainsKey("__value__"))
                {
                    val = wrapped["__value__"]?.DeepClone();
                    inputs[x] = val;
                }
                try
                {
                    val = spec.Type switch
                    {
                        "INT" => PyValues.ToInt(val),
                        "FLOAT" => PyValues.ToFloat(val),
                        "STRING" => PyValues.ToStr(val),
                        "BOOLEAN" => PyValues.ToBool(val),
                        _ => val,
                    };
                    if (spec.Type is "INT" or "FLOAT" or "STRING" or "BOOLEAN")
                    {
                        inputs[x] = val;
                    }
                }
                catch (PyException ex)
                {
                    errors.Add(ValidationResult.Reason("invalid_input_type", $"Failed to convert an input value to a {spec.Type} value",
                        $"{x}, {PyValues.Str_(val)}, {ex.Message}",
                        new JsonObject
                        {
                            ["input_name"] = x,
                            ["input_config"] = InputConfig(spec, choices),
                            ["received_value"] = val?.DeepClone(),
                            ["exception_message"] = ex.Message,
                        }));
                    continue;
                }
                if (definition.CustomValidatedInputs.Contains(x))
                {
                    continue;
                }
                if (spec.Min is { } min && PyValues.Kind(val) == JsonValueKind.Number && PyValues.Compare(val!, min) < 0)
                {
                    errors.Add(ValidationResult.Reason("value_smaller_than_min", $"Value {PyValues.Str_(val)} smaller than min of {PyValues.Str_(min)}", x,
                        new JsonObject { ["input_name"] = x, ["input_config"] = InputConfig(spec, choices), ["received_value"] = val!.DeepClone() }));
                    continue;
                }
                if (spec.Max is { } max && PyValues.Kind(val) == JsonValueKind.Number && PyValues.Compare(val!, max) > 0)
                {
                    errors.Add(ValidationResult.Reason("value_bigger_than_max", $"Value {PyValues.Str_(val)} bigger than max of {PyValues.Str_(max)}", x,
                        new JsonObject { ["input_name"] = x, ["input_config"] = InputConfig(spec, choices), ["received_value"] = val!.DeepClone() }));
                    continue;
                }
                if (spec.IsCombo && CheckCombo(id, definition, spec, x, val, choices) is { } comboError)
                {
                    errors.Add(comboError);
                }
            }
            if (definition.CustomValidation is { } custom)
            {
                foreach (var x in definition.CustomValidatedInputs.Where(inputs.ContainsKey))
                {
                    if (inputs[x] is JsonArray)
                    {
                        continue;
                    }
                    if (custom(context, inputs, x) is { } message)
                    {
                        errors.Add(ValidationResult.Reason("custom_validation_failed", "Custom validation failed for node", $"{x} - {message}", new JsonObject { ["input_name"] = x }));
                    }
                }
            }
            if (_cycleReasons.TryGetValue(id, out var cycleReason))
            {
                errors.Add(cycleReason.DeepClone());
            }
            var outcome = new Outcome(errors.Count == 0 && valid, errors);
            Validated[id] = outcome;
            return outcome;
        }

        private JsonObject? CheckCombo(string id, NodeDefinition definition, InputSpec spec, string x, JsonNode? val, IReadOnlyList<string> choices)
        {
            string? text = PyValues.Kind(val) == JsonValueKind.String ? val!.GetValue<string>() : null;
            bool member = text is not null && choices.Contains(text);
            if (x == "sampler_name")
            {
                string? sampler = member ? text : null;
                if (!member && text is not null && SamplerAliases.Resolve(text) is { } alias)
                {
                    sampler = alias.Sampler;
                    SamplerChoices[id] = new SamplerChoice(text, alias.Sampler, alias.Scheduler);
                    Warnings.Add($"node {id} ({definition.ClassName}): sampler_name '{text}' read as sampler '{alias.Sampler}'"
                        + (alias.Scheduler is null ? "" : $" with scheduler '{alias.Scheduler}' (overrides the scheduler input)"));
                }
                if (sampler is not null)
                {
                    if (context.SamplerSupported(sampler))
                    {
                        if (SamplerReproducibility.Caveat(sampler) is { } caveat)
                        {
                            Warnings.Add($"node {id} ({definition.ClassName}): {caveat}");
                        }
                        return null;
                    }
                    return ValidationResult.Reason("value_not_in_list", "Value not in list",
                        $"{x}: '{text}' is a ComfyUI sampler ('{sampler}') that this engine does not implement",
                        new JsonObject { ["input_name"] = x, ["input_config"] = null, ["received_value"] = val?.DeepClone() });
                }
            }
            if (member)
            {
                return null;
            }
            bool longList = choices.Count > 20;
            return ValidationResult.Reason("value_not_in_list", "Value not in list",
                $"{x}: '{PyValues.Str_(val)}' not in {(longList ? $"(list of length {choices.Count})" : PyValues.ReprList(choices))}",
                new JsonObject
                {
                    ["input_name"] = x,
                    ["input_config"] = longList ? null : InputConfig(spec, choices),
                    ["received_value"] = val?.DeepClone(),
                });
        }

        private string LinkedId(JsonNode? idNode)
        {
            // Python indexes the prompt dict with whatever the link holds; a non-string never matches.
            if (PyValues.Kind(idNode) == JsonValueKind.String && prompt.ContainsKey(idNode!.GetValue<string>()))
            {
                return idNode.GetValue<string>();
            }
            throw new PyException("KeyError", PyValues.Repr(idNode));
        }

        private static string ReturnType(NodeDefinition linked, JsonNode? slotNode)
        {
            if (!PyValues.IsIntegral(slotNode))
            {
                throw new PyException("TypeError", $"tuple indices must be integers or slices, not {PyValues.TypeName(slotNode)}");
            }
            var slot = PyValues.AsBigInteger(slotNode!);
            int count = linked.Outputs.Count;
            if (slot < -count || slot >= count)
            {
                throw new PyException("IndexError", "tuple index out of range");
            }
            int index = (int)(slot < 0 ? slot + count : slot);
            return linked.Outputs[index];
        }
    }
}

namespace AdmissionGuard.Policies;

/// <summary>A LabelSelector compiled to a predicate. An empty selector matches everything.</summary>
internal sealed class CompiledSelector
{
    public static readonly CompiledSelector Everything = new([]);

    private readonly Requirement[] requirements;

    private CompiledSelector(Requirement[] requirements) => this.requirements = requirements;

    public bool IsEmpty => requirements.Length == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var requirement in requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(requirement.Key, out value);
            var ok = requirement.Operator switch
            {
                SelectorOperator.In => has && Array.IndexOf(requirement.Values, value) >= 0,
                SelectorOperator.NotIn => !has || Array.IndexOf(requirement.Values, value) < 0,
                SelectorOperator.Exists => has,
                _ => !has,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static CompiledSelector Compile(LabelSelector? selector, string field, List<(string Field, string Message)> errors)
    {
        if (selector is null)
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var (key, value) in selector.MatchLabels ?? [])
        {
            requirements.Add(new Requirement(key, SelectorOperator.In, [value]));
        }

        var expressions = selector.MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var path = $"{field}.matchExpressions[{i}]";
            var expression = expressions[i];
            if (expression is null)
            {
                errors.Add((path, "is empty: a requirement needs key and operator"));
                continue;
            }

            if (string.IsNullOrEmpty(expression.Key))
            {
                errors.Add(($"{path}.key", "required"));
                continue;
            }

            var values = expression.Values?.ToArray() ?? [];
            SelectorOperator? op = expression.Operator switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                _ => null,
            };
            if (op is null)
            {
                errors.Add(($"{path}.operator", $"\"{expression.Operator}\" is not one of In, NotIn, Exists, DoesNotExist"));
                continue;
            }

            if ((op is SelectorOperator.In or SelectorOperator.NotIn) && values.Length == 0)
            {
                errors.Add(($"{path}.values", $"must be non-empty for {expression.Operator}"));
                continue;
            }

            if ((op is SelectorOperator.Exists or SelectorOperator.DoesNotExist) && values.Length != 0)
            {
                errors.Add(($"{path}.values", $"must be empty for {expression.Operator}"));
                continue;
            }

            requirements.Add(new Requirement(expression.Key, op.Value, values));
        }

        return requirements.Count == 0 ? Everything : new CompiledSelector([.. requirements]);
    }

    private enum SelectorOperator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, SelectorOperator Operator, string[] Values);
}

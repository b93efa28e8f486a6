using Mono.Cecil;
using Mono.Cecil.Cil;

namespace GanForge.Tests.Architecture;

/// <summary>
/// The library's folders are layers: every namespace GanForge.X may use those below it and none above. Read from the
/// compiled assembly (signatures, base types, attributes and every IL operand), so fully qualified names and
/// compiler-generated closures count as much as using lines.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Bottom to top; a layer may depend only on layers before it.</summary>
    private static readonly string[] Layers =
        ["Configuration", "Runtime", "IO", "Data", "Models", "Objectives", "Evaluation", "Training", "Sampling", "Export", "Benchmarks"];

    private static readonly Lazy<Dictionary<(string From, string To), string>> Edges = new(ReadEdges);

    [Fact]
    public void Library_namespaces_form_no_cycle()
    {
        var graph = Edges.Value.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, cycle is null ? "" :
            "Namespace cycle: " + string.Join(" → ", cycle) + "\n" + string.Join("\n", cycle.Zip(cycle.Skip(1)).Select(p => $"  {p.First} → {p.Second}: {Edges.Value[(p.First, p.Second)]}")));
    }

    [Fact]
    public void Every_folder_is_a_known_layer_and_depends_only_on_lower_layers()
    {
        var upward = Edges.Value
            .Where(e => Array.IndexOf(Layers, e.Key.From) < 0 || Array.IndexOf(Layers, e.Key.To) < 0 || Array.IndexOf(Layers, e.Key.To) > Array.IndexOf(Layers, e.Key.From))
            .Select(e => $"{e.Key.From} → {e.Key.To}: {e.Value}")
            .ToList();
        Assert.True(upward.Count == 0, "References against the layer order " + string.Join(" < ", Layers) + ":\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Configuration_depends_on_no_other_folder()
    {
        Assert.DoesNotContain(Edges.Value.Keys, e => e.From == "Configuration");
        Assert.Contains(Edges.Value.Keys, e => e.To == "Configuration"); // the reader sees references at all
    }

    /// <summary>Each edge between two folders with one example reference that makes it.</summary>
    private static Dictionary<(string, string), string> ReadEdges()
    {
        var edges = new Dictionary<(string, string), string>();
        using var assembly = AssemblyDefinition.ReadAssembly(typeof(GanForge.Configuration.RunConfig).Assembly.Location);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            if (Layer(type) is not { } from) continue;
            void Use(TypeReference? target, string where)
            {
                foreach (var used in Expand(target))
                    if (Layer(used) is { } to && to != from) edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName} ({where})");
            }
            Use(type.BaseType, "base type");
            foreach (var i in type.Interfaces) Use(i.InterfaceType, "interface");
            foreach (var a in type.CustomAttributes) Use(a.AttributeType, "attribute");
            foreach (var f in type.Fields) Use(f.FieldType, $"field {f.Name}");
            foreach (var p in type.Properties) Use(p.PropertyType, $"property {p.Name}");
            foreach (var m in type.Methods)
            {
                Use(m.ReturnType, $"{m.Name} returns");
                foreach (var p in m.Parameters) Use(p.ParameterType, $"{m.Name} parameter");
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Use(v.VariableType, $"{m.Name} local");
                foreach (var instruction in m.Body.Instructions)
                {
                    switch (instruction.Operand)
                    {
                        case TypeReference t: Use(t, $"{m.Name} IL"); break;
                        case MemberReference member:
                            Use(member.DeclaringType, $"{m.Name} IL");
                            if (member is MethodReference method) Use(method.ReturnType, $"{m.Name} IL");
                            if (member is FieldReference field) Use(field.FieldType, $"{m.Name} IL");
                            break;
                    }
                }
            }
        }
        return edges;
    }

    /// <summary>A type and the types inside it: generic arguments, element types.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference? type)
    {
        if (type is null) yield break;
        yield return type;
        if (type is GenericInstanceType generic)
            foreach (var argument in generic.GenericArguments)
                foreach (var inner in Expand(argument)) yield return inner;
        if (type is TypeSpecification specification)
            foreach (var inner in Expand(specification.ElementType)) yield return inner;
    }

    /// <summary>The folder of a GanForge library type (nested and compiler-generated types belong to their outer type's), else null.</summary>
    private static string? Layer(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        if (type.Scope?.Name is { } scope && scope != "GanForge" && scope != "GanForge.dll") return null;
        var parts = type.Namespace.Split('.');
        return parts.Length >= 2 && parts[0] == "GanForge" ? parts[1] : null;
    }

    private static List<string>? FindCycle(Dictionary<string, List<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys)
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }
}

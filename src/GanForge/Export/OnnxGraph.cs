using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace GanForge.Export;

/// <summary>
/// Builds one ONNX graph (opset <see cref="Opset"/>) node by node with the ONNX protobuf classes of OnnxSharp:
/// initializers from TorchSharp tensors, nodes with their attributes, typed inputs and outputs with a dynamic batch.
/// </summary>
internal sealed class OnnxGraph
{
    public const int Opset = 17;
    public const string Batch = "batch";

    private readonly GraphProto graph = new() { Name = "ganforge" };
    private int names;

    public string Input(string name, TensorProto.Types.DataType type, params long[] dimensions) => Input(name, type, [.. dimensions.Cast<object>()]);

    /// <summary>A graph input whose dimensions are sizes (long; −1 = the dynamic batch) or names of dynamic dimensions (string).</summary>
    public string Input(string name, TensorProto.Types.DataType type, IReadOnlyList<object> dimensions)
    {
        graph.Input.Add(ValueInfo(name, type, dimensions));
        return name;
    }

    /// <summary>Names <paramref name="value"/> as a graph output; a dimension of −1 is the dynamic batch.</summary>
    public void Output(string value, string name, params long[] dimensions) => Output(value, name, [.. dimensions.Cast<object>()]);

    /// <summary>Names <paramref name="value"/> as a graph output with sizes or named dynamic dimensions, as <see cref="Input(string, TensorProto.Types.DataType, IReadOnlyList{object})"/>.</summary>
    public void Output(string value, string name, IReadOnlyList<object> dimensions)
    {
        graph.Output.Add(ValueInfo(name, TensorProto.Types.DataType.Float, dimensions));
        Node("Identity", [value], output: name);
    }

    /// <summary>A float32 initializer of the given values and shape.</summary>
    public string Floats(string name, float[] values, params long[] shape)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        proto.FloatData.AddRange(values);
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A float32 initializer holding a copy of <paramref name="tensor"/>.</summary>
    public string Weights(string name, Tensor tensor)
    {
        using var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(values.bytes) };
        proto.Dims.AddRange(values.shape);
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string op, string[] inputs, (string Name, object Value)[]? attributes = null, string? output = null)
    {
        var node = new NodeProto { OpType = op, Name = Unique(op) };
        node.Input.AddRange(inputs);
        node.Output.Add(output ?? Unique(op.ToLowerInvariant()));
        foreach (var (name, value) in attributes ?? []) node.Attribute.Add(Attribute(name, value));
        graph.Node.Add(node);
        return node.Output[0];
    }

    public ModelProto Model(IReadOnlyDictionary<string, string> metadata, string producerVersion)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "GanForge", ProducerVersion = producerVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private string Unique(string stem) => $"{stem}_{names++}";

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, IReadOnlyList<object> dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dimensions)
        {
            shape.Dim.Add(d switch
            {
                string symbolic => new TensorShapeProto.Types.Dimension { DimParam = symbolic },
                long size when size < 0 => new TensorShapeProto.Types.Dimension { DimParam = Batch },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension of {d.GetType().Name} is neither a size nor a name.", nameof(dimensions)),
            });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        long i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        double f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)f },
        long[] ints => Ints(name, ints),
        string text => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(text) },
        _ => throw new ArgumentException($"Attribute {name} has a value of type {value.GetType().Name}, which the graph builder does not write.", nameof(value)),
    };

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}

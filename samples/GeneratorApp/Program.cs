// A .NET app that uses a GanForge generator through GanForge.Onnx alone:
//   dotnet run --project samples/GeneratorApp -- model.onnx grid.png [seed] [label]
using GanForge.Onnx;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: GeneratorApp MODEL.onnx OUT.png [seed] [label]");
    return 2;
}
using var generator = OnnxGenerator.Load(args[0]);
var info = generator.Info;
var seed = args.Length > 2 ? int.Parse(args[2]) : 0;
int? label = args.Length > 3 ? int.Parse(args[3]) : null;
var images = generator.Generate(count: 16, seed, label);
ImageFiles.SaveGrid(images, args[1]);
Console.WriteLine($"{info.Kind} of {info.Model} (step {info.TrainingStep}, {info.Classes} classes): wrote 16 images of {info.Channels}×{info.Height}×{info.Width} to {args[1]}");
return 0;

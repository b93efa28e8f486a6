using System.Text.Json;

namespace GanForge.Tests.Build;

/// <summary>
/// The CUDA build switch, checked by evaluating the project (no restore: this project's feed serves only the CPU
/// package): -p:TorchBackend=cuda swaps TorchSharp-cpu for TorchSharp's CUDA package and changes nothing else.
/// </summary>
public sealed class TorchBackendTests
{
    private static (int Exit, string Output) Msbuild(params string[] arguments) =>
        CliProcess.RunToEnd("dotnet", ["msbuild", TestData.RepositoryFile("src/GanForge/GanForge.csproj"), "-nologo", .. arguments]);

    private static List<string> Packages(params string[] properties)
    {
        var (exit, output) = Msbuild(["-getItem:PackageReference", .. properties]);
        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        return [.. json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!)];
    }

    [Fact]
    public void The_cuda_switch_swaps_only_the_libtorch_package()
    {
        var cpu = Packages();
        var cuda = Packages("-p:TorchBackend=cuda");
        Assert.Contains("TorchSharp-cpu", cpu);
        Assert.DoesNotContain(cuda, p => p == "TorchSharp-cpu");
        Assert.Contains(OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux", cuda);
        Assert.Equal(cpu.Where(p => p != "TorchSharp-cpu"), cuda.Where(p => !p.StartsWith("TorchSharp-cuda", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_backend_is_one_clear_build_error()
    {
        var (exit, output) = Msbuild("-t:CheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.NotEqual(0, exit);
        Assert.Contains("TorchBackend is 'rocm'; expected cpu or cuda.", output);
    }
}

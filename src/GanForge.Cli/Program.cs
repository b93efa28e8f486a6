using GanForge.Cli;
using GanForge.Runtime;

// libtorch's OpenMP reads its environment when it loads: set it before any torch call.
TorchRuntime.PrepareEnvironment();
return GanForgeCli.Run(args);

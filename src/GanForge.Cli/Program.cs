using GanForge.Cli;
using GanForge.Runtime;

// Training runs with glibc's small-block caches off, a setting glibc reads only at start: restart with it first.
if (args is ["train" or "bench", ..]) TorchRuntime.RestartWithTrainingAllocator();
// libtorch's OpenMP reads its environment when it loads: set it before any torch call.
TorchRuntime.PrepareEnvironment();
return GanForgeCli.Run(args);

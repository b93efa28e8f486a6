using System.CommandLine;
using System.CommandLine.Help;
using GanForge.Cli.Commands;
using GanForge.Runtime;

// libtorch's OpenMP reads its environment when it loads: set it before any torch call.
TorchRuntime.PrepareEnvironment();

// A named root (not RootCommand) so that help says "ganforge", the tool's command, not the assembly's name.
var root = new Command("ganforge", "GanForge: train, evaluate and use Generative Adversarial Networks on TorchSharp.")
{
    new HelpOption(),
    new VersionOption(),
    TrainCommand.Create(),
    SampleCommand.Create(),
    DataCommand.Create(),
    ModelsCommand.Create(),
};
return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });

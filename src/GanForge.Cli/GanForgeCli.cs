using System.CommandLine;
using System.CommandLine.Help;
using GanForge.Cli.Commands;

namespace GanForge.Cli;

/// <summary>The ganforge command tree.</summary>
public static class GanForgeCli
{
    public static Command Build() =>
        // A named root (not RootCommand) so that help says "ganforge", the tool's command, not the assembly's name.
        new("ganforge", "GanForge: train, evaluate and use Generative Adversarial Networks on TorchSharp.")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(),
            SampleCommand.Create(),
            TranslateCommand.CreateTranslate(),
            TranslateCommand.CreateUpscale(),
            ExportCommand.Create(),
            ServeCommand.Create(),
            EvalCommand.Create(),
            InterpolateCommand.Create(),
            ArithmeticCommand.Create(),
            SynthCommand.Create(),
            InpaintCommand.Create(),
            DataCommand.Create(),
            ModelsCommand.Create(),
            RecipesCommand.Create(),
            BenchCommand.Create(),
            DoctorCommand.Create(),
            DashboardCommand.Create(),
            ReportCommand.Create(),
        };

    /// <summary>Parses and runs; Ctrl-C is handled by the train command itself (it checkpoints before exiting).</summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        // A bad option value gets its one-line message, not the whole help text after it.
        if (parse.Action is System.CommandLine.Invocation.ParseErrorAction error) error.ShowHelp = false;
        return parse.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}

using GanForge.Configuration;
using GanForge.Data;
using GanForge.Evaluation;
using GanForge.Tests.Evaluation;
using GanForge.Training;

namespace GanForge.Tests.Training;

public sealed class TrainerEvaluationTests(SmallMnistNetwork small) : IClassFixture<SmallMnistNetwork>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private Evaluator CreateEvaluator() =>
        Evaluator.Create("mnist-embedded", small.Network, small.Test.Take(200), small.Train, new EvaluationOptions { Count = 200, KidSubsets = 5, KidSubsetSize = 50 });

    private RunConfig Config() => TestData.TinyConfig(temp.File("runs"), steps: 4) with
    {
        Output = TestData.TinyConfig(temp.File("runs")).Output with { EvalEvery = 2, EvalCount = 60 },
    };

    [Fact]
    public void Evaluations_go_to_metrics_jsonl_and_the_best_fd_keeps_its_checkpoint()
    {
        using var evaluator = CreateEvaluator();
        using var trainer = Trainer.Start(Config(), EmbeddedMnist.Load(DataSplit.Train), evaluator);
        var evaluations = new List<(long Step, bool Best)>();
        var result = trainer.Run(observer: new Recorder(evaluations));

        var run = result.Run;
        var recorded = run.ReadEvaluations();
        Assert.Equal([2L, 4L], recorded.Select(r => r.Step));
        Assert.Equal(4, run.ReadMetrics().Count); // the loss lines are read apart from the evaluation lines
        Assert.All(recorded, r => Assert.Equal(60, r.Eval.Count));
        var best = recorded.MinBy(r => r.Eval.Fd)!;
        Assert.Equal((best.Step, best.Eval.Fd), (result.Best!.Step, result.Best.Eval.Fd));
        Assert.Equal(best.Step, Checkpoint.ReadHeader(run.BestCheckpointPath).Position.Step);
        Assert.Equal(2, evaluations.Count);
        Assert.True(evaluations[0].Best);
        // best.ckpt is not a step checkpoint: resuming and pruning ignore it.
        Assert.Equal(run.CheckpointPath(4), run.LatestCheckpoint());
    }

    [Fact]
    public void Evaluating_leaves_training_bit_exact_and_resume_remembers_the_best()
    {
        using var evaluator = CreateEvaluator();
        var data = EmbeddedMnist.Load(DataSplit.Train);
        string plainGrid;
        using (var plain = Trainer.Start(Config() with { Output = Config().Output with { EvalEvery = 0 } }, data))
            plainGrid = plain.Run().LastSampleGrid;

        TrainingResult result;
        using (var first = Trainer.Start(Config(), data, evaluator)) first.Run(stopAtStep: 2);
        var runPath = Directory.GetDirectories(temp.File("runs")).Max()!;
        using (var resumed = Trainer.Resume(runPath, _ => data, evaluator)) result = resumed.Run();

        Assert.Equal(File.ReadAllBytes(plainGrid), File.ReadAllBytes(result.LastSampleGrid));
        var best = result.Run.ReadEvaluations().MinBy(r => r.Eval.Fd)!;
        Assert.Equal((best.Step, best.Eval.Fd), (result.Best!.Step, result.Best.Eval.Fd));
        Assert.Equal(2, result.Run.ReadEvaluations().Count);
    }

    private sealed class Recorder(List<(long, bool)> evaluations) : ITrainingObserver
    {
        public void OnEvaluation(long step, MetricSet metrics, bool best) => evaluations.Add((step, best));
    }
}

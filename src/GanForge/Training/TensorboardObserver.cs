using GanForge.Evaluation;
using static TorchSharp.torch.utils.tensorboard;

namespace GanForge.Training;

/// <summary>
/// Writes a run's numbers and sample grids as TensorBoard event files in RUN/tensorboard (TorchSharp's
/// SummaryWriter), for users who already live there: <c>tensorboard --logdir runs</c>.
/// </summary>
public sealed class TensorboardObserver(string logDirectory) : ITrainingObserver
{
    public const string DirectoryName = "tensorboard";

    private readonly TorchSharp.Modules.SummaryWriter writer = SummaryWriter(logDirectory);

    public void OnMetrics(TrainingMetrics m)
    {
        var step = (int)m.Step;
        void Scalar(string tag, double? value)
        {
            if (value is { } v) writer.add_scalar(tag, (float)v, step);
        }
        Scalar("loss/d", m.DLoss);
        Scalar("loss/g", m.GLoss);
        Scalar("d_output/real", m.DReal);
        Scalar("d_output/fake", m.DFake);
        Scalar("loss/total", m.Loss);
        Scalar("loss/reconstruction", m.Reconstruction);
        Scalar("loss/kl", m.Kl);
        Scalar("samples/grid_diversity", m.GridDiversity);
        Scalar("speed/images_per_second", m.ImagesPerSecond);
    }

    public void OnEvaluation(long step, MetricSet metrics, bool best)
    {
        var s = (int)step;
        writer.add_scalar("eval/fd", (float)metrics.Fd, s);
        writer.add_scalar("eval/kid", (float)metrics.KidMean, s);
        writer.add_scalar("eval/precision", (float)metrics.Precision, s);
        writer.add_scalar("eval/recall", (float)metrics.Recall, s);
        writer.add_scalar("eval/density", (float)metrics.Density, s);
        writer.add_scalar("eval/coverage", (float)metrics.Coverage, s);
        if (metrics.IsMean is { } inception) writer.add_scalar("eval/inception_score", (float)inception, s);
        if (metrics.Classes is { } classes) writer.add_scalar("eval/modes", classes.Modes, s);
    }

    public void OnSampleGrid(long step, string path) => writer.add_img("samples", path, (int)step);
}

/// <summary>Passes every notification to each of several observers in turn.</summary>
internal sealed class ObserverList(params ITrainingObserver[] observers) : ITrainingObserver
{
    public void OnStart(RunDirectory run, long startStep, long totalSteps) { foreach (var o in observers) o.OnStart(run, startStep, totalSteps); }
    public void OnMetrics(TrainingMetrics metrics) { foreach (var o in observers) o.OnMetrics(metrics); }
    public void OnSampleGrid(long step, string path) { foreach (var o in observers) o.OnSampleGrid(step, path); }
    public void OnCheckpoint(long step, string path) { foreach (var o in observers) o.OnCheckpoint(step, path); }
    public void OnEvaluation(long step, MetricSet metrics, bool best) { foreach (var o in observers) o.OnEvaluation(step, metrics, best); }
    public void OnDiagnosis(Diagnosis diagnosis) { foreach (var o in observers) o.OnDiagnosis(diagnosis); }
    public void OnMessage(string text) { foreach (var o in observers) o.OnMessage(text); }
}

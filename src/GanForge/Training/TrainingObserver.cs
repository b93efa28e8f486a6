using GanForge.Evaluation;

namespace GanForge.Training;

/// <summary>Receives the Trainer's news; every method is optional.</summary>
public interface ITrainingObserver
{
    void OnStart(RunDirectory run, long startStep, long totalSteps) { }
    void OnMetrics(TrainingMetrics metrics) { }
    void OnSampleGrid(long step, string path) { }
    void OnCheckpoint(long step, string path) { }
    void OnEvaluation(long step, MetricSet metrics, bool best) { }

    /// <summary>A detector of <see cref="TrainingDiagnostics"/> recognised a failure (each kind is reported once per call to Run).</summary>
    void OnDiagnosis(Diagnosis diagnosis) { }

    /// <summary>Progress of slow one-off work, such as training the dataset's evaluation network before the first evaluation.</summary>
    void OnMessage(string text) { }
}

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
/// <param name="Best">The evaluation with the lowest FD so far (its checkpoint is checkpoints/best.ckpt), or null without evaluations.</param>
/// <param name="Diagnoses">The failures recognised while training, in the order they were found.</param>
/// <param name="Diverged">The losses became NaN or infinite: training stopped without checkpointing the broken weights.</param>
/// <param name="Report">The run's report.html (with progress.gif beside it), written as every call to Run ends (null when there was no room).</param>
/// <param name="WriteFailure">Why training stopped early because a file could not be written (a full disk, no permission), naming the newest good checkpoint; null otherwise.</param>
public sealed record TrainingResult(RunDirectory Run, long Step, long TotalSteps, bool Interrupted, string LastCheckpoint, string LastSampleGrid, TrainingMetrics? LastMetrics,
    EvaluationRecord? Best = null, IReadOnlyList<Diagnosis>? Diagnoses = null, bool Diverged = false, string? Report = null, string? WriteFailure = null);

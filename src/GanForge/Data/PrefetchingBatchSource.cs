using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace GanForge.Data;

/// <summary>
/// Runs a batch source ahead of the trainer on a background thread, keeping up to <c>depth</c> batches ready, so
/// a training step never waits for decoding, resizing or augmenting. The stream is exactly the inner source's
/// (same batches, same order), and Epoch / BatchInEpoch report the position of what the caller has taken, so
/// checkpoints and <see cref="Seek"/> work as without prefetching.
/// </summary>
public sealed class PrefetchingBatchSource : IBatchSource
{
    private readonly IBatchSource inner;
    private readonly int depth;
    private BlockingCollection<Prepared>? queue;
    private CancellationTokenSource? stop;
    private Task? worker;

    /// <summary>A batch made ahead, with the inner position after it; or the exception that making it threw.</summary>
    private sealed record Prepared(Batch? Batch, int Epoch, int BatchInEpoch, Exception? Error);

    public PrefetchingBatchSource(IBatchSource inner, int depth = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        this.inner = inner;
        this.depth = depth;
        Epoch = inner.Epoch;
        BatchInEpoch = inner.BatchInEpoch;
        StartWorker();
    }

    public int BatchSize => inner.BatchSize;
    public int BatchesPerEpoch => inner.BatchesPerEpoch;
    public int Epoch { get; private set; }
    public int BatchInEpoch { get; private set; }

    public Batch Next()
    {
        var prepared = queue!.Take();
        if (prepared.Error is not null) throw new InvalidOperationException($"Preparing a training batch failed: {prepared.Error.Message}", prepared.Error);
        (Epoch, BatchInEpoch) = (prepared.Epoch, prepared.BatchInEpoch);
        // Made on another thread outside any scope: they join the caller's, as the inner source's batches would.
        foreach (var tensor in Tensors(prepared.Batch!)) CurrentDisposeScope?.Attach(tensor);
        return prepared.Batch!;
    }

    private static IEnumerable<Tensor> Tensors(Batch batch) => new[] { batch.Images, batch.Labels, batch.Inputs }.OfType<Tensor>();

    public void Seek(int epoch, int batchInEpoch)
    {
        StopWorker();
        inner.Seek(epoch, batchInEpoch);
        (Epoch, BatchInEpoch) = (epoch, batchInEpoch);
        StartWorker();
    }

    private void StartWorker()
    {
        queue = new BlockingCollection<Prepared>(depth);
        stop = new CancellationTokenSource();
        var (output, token) = (queue, stop.Token);
        // Not given the token: a task cancelled before it starts ends as Canceled and Wait() throws; Produce checks it.
        worker = Task.Factory.StartNew(() => Produce(output, token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce(BlockingCollection<Prepared> output, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Prepared batch;
            try
            {
                using var scope = NewDisposeScope();
                var next = inner.Next();
                foreach (var tensor in Tensors(next)) tensor.DetachFromDisposeScope();
                batch = new Prepared(next, inner.Epoch, inner.BatchInEpoch, null);
            }
            catch (Exception e)
            {
                batch = new Prepared(null, 0, 0, e);
            }
            try
            {
                output.Add(batch, token);
            }
            catch (OperationCanceledException)
            {
                Release(batch);
                return;
            }
            if (batch.Error is not null) return;
        }
    }

    private void StopWorker()
    {
        stop!.Cancel();
        worker!.Wait();
        while (queue!.TryTake(out var batch)) Release(batch);
        queue.Dispose();
        stop.Dispose();
    }

    private static void Release(Prepared prepared)
    {
        if (prepared.Batch is { } batch)
            foreach (var tensor in Tensors(batch)) tensor.Dispose();
    }

    public void Dispose()
    {
        StopWorker();
        inner.Dispose();
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// A chain of stages over a fixed pool of byte blocks, so that the steps of encrypting or decrypting a stream
    /// (hashing the plaintext, AES-GCM, hashing the ciphertext, writing) run on separate threads, one block behind
    /// another, in order. Memory is the pool: a producer waits for a free block, never allocates one. With
    /// <c>threaded</c> false every stage runs inline on the caller's thread (small files, pull-driven streams).
    /// The first failure of any stage stops all of them and is rethrown, as it was thrown, by the next call of the
    /// producer or the consumer (and by <see cref="Complete"/>); <see cref="Dispose"/> stops everything and waits.
    /// </summary>
    internal sealed class BlockPipeline : IDisposable
    {
        /// <summary>One unit of work: input bytes, the output a stage made of them, and whether it is the last.</summary>
        internal sealed class Block
        {
            public byte[] Input;
            public int InputCount;
            public byte[] Output;
            public int OutputCount;
            public bool Last;
        }

        private readonly List<Action<Block>> _stages = new List<Action<Block>>();
        private readonly BlockingCollection<Block> _free = new BlockingCollection<Block>();
        private readonly List<BlockingCollection<Block>> _queues = new List<BlockingCollection<Block>>();
        private readonly List<Task> _workers = new List<Task>();
        private readonly CancellationTokenSource _abort = new CancellationTokenSource();
        private readonly bool _deliver;
        private readonly int _maxBlocks;
        private readonly int _inputBytes;
        private readonly int _outputBytes;
        private int _created;
        private Exception _error;
        private bool _started;
        private bool _disposed;

        /// <param name="blocks">Blocks in the pool (bounds the memory and how far the stages run apart).</param>
        /// <param name="inputBytes">Size of each block's input array.</param>
        /// <param name="outputBytes">Size of each block's output array (0: none).</param>
        /// <param name="deliver">True: after the last stage, blocks go to <see cref="Receive"/> (a reading consumer); false: back to the pool.</param>
        public BlockPipeline(int blocks, int inputBytes, int outputBytes, bool deliver)
        {
            _maxBlocks = Math.Max(1, blocks);
            _inputBytes = inputBytes;
            _outputBytes = outputBytes;
            _deliver = deliver;
        }

        /// <summary>Adds a stage (before <see cref="Start"/>); stages see every block in order.</summary>
        public void AddStage(Action<Block> stage) => _stages.Add(stage);

        /// <summary>True once the stages run on their own threads.</summary>
        public bool Threaded => _started;

        /// <summary>Starts one thread per stage; until then <see cref="Post"/> runs the stages inline.</summary>
        public void Start()
        {
            if (_started)
            {
                return;
            }
            _started = true;
            _queues.Add(new BlockingCollection<Block>());
            foreach (var stage in _stages)
            {
                var input = _queues[_queues.Count - 1];
                var output = new BlockingCollection<Block>();
                _queues.Add(output);
                _workers.Add(Task.Factory.StartNew(() => Work(stage, input, output), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
            if (!_deliver)
            {
                var tail = _queues[_queues.Count - 1];
                _workers.Add(Task.Factory.StartNew(() => Work(null, tail, _free), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
        }

        /// <summary>
        /// Runs <paramref name="produce"/> on its own thread as the first step: it rents blocks, fills them and posts
        /// them, the last one with <see cref="Block.Last"/> set (a reading pipeline). Starts the stages too.
        /// </summary>
        public void StartProducer(Action produce)
        {
            Start();
            _workers.Add(Task.Factory.StartNew(() =>
            {
                try
                {
                    produce();
                }
                catch (Exception e)
                {
                    Fail(e);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        private void Work(Action<Block> stage, BlockingCollection<Block> input, BlockingCollection<Block> output)
        {
            try
            {
                while (true)
                {
                    var block = input.Take(_abort.Token);
                    stage?.Invoke(block);
                    bool last = block.Last;
                    if (stage == null)
                    {
                        block.Last = false;
                    }
                    output.Add(block, _abort.Token);
                    if (last)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }

        private void Fail(Exception e)
        {
            if (e is OperationCanceledException && _abort.IsCancellationRequested)
            {
                return;
            }
            Interlocked.CompareExchange(ref _error, e, null);
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>A free block (made on first need, up to the pool size; then waits while all are in flight); its counts and flag are reset.</summary>
        public Block Rent()
        {
            ThrowIfFailed();
            if (!_free.TryTake(out var block))
            {
                block = Interlocked.Increment(ref _created) <= _maxBlocks
                    ? new Block { Input = new byte[_inputBytes], Output = _outputBytes > 0 ? new byte[_outputBytes] : null }
                    : Guarded(() => _free.Take(_abort.Token));
            }
            block.InputCount = 0;
            block.OutputCount = 0;
            block.Last = false;
            return block;
        }

        /// <summary>Hands a filled block to the first stage (or runs every stage on it now, when not started).</summary>
        public void Post(Block block)
        {
            if (!_started)
            {
                foreach (var stage in _stages)
                {
                    stage(block);
                }
                if (!_deliver)
                {
                    _free.Add(block);
                }
                return;
            }
            Guarded(() => { _queues[0].Add(block, _abort.Token); return true; });
        }

        /// <summary>The next block that went through every stage (a reading pipeline); give it back with <see cref="Recycle"/>.</summary>
        public Block Receive() => Guarded(() => _queues[_queues.Count - 1].Take(_abort.Token));

        /// <summary>Returns a received block to the pool.</summary>
        public void Recycle(Block block) => _free.Add(block);

        /// <summary>Waits until every stage has handled the last block, then rethrows the first failure, if any.</summary>
        public void Complete()
        {
            if (_started)
            {
                WaitWorkers();
            }
            ThrowIfFailed();
        }

        /// <summary>Rethrows the first failure of a stage, as it was thrown.</summary>
        public void ThrowIfFailed()
        {
            var error = Volatile.Read(ref _error);
            if (error != null)
            {
                ExceptionDispatchInfo.Capture(error).Throw();
            }
        }

        private T Guarded<T>(Func<T> op)
        {
            try
            {
                return op();
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                ThrowIfFailed();
                throw new ObjectDisposedException(nameof(BlockPipeline), "The pipeline was stopped.");
            }
        }

        private void WaitWorkers()
        {
            try
            {
                Task.WaitAll(_workers.ToArray());
            }
            catch (AggregateException)
            {
                // Work() records every failure itself.
            }
        }

        /// <summary>Stops every stage (if still running) and waits for their threads.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _abort.Cancel();
            WaitWorkers();
            _abort.Dispose();
            foreach (var q in _queues)
            {
                q.Dispose();
            }
            _free.Dispose();
        }
    }
}

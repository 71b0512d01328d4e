using System;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Common;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Writes a manifest atomically during a sync, only as often as its truthfulness needs. The sync writes the starting
    /// state first (<see cref="WriteNow"/>: every chosen item Pending, so the file never goes on claiming the previous
    /// run's Completed items while their stores are being overwritten), then asks for a checkpoint after each database;
    /// those are coalesced and throttled to one write per <see cref="MinInterval"/> (an item only ever moves to
    /// Completed after its sync finished, so a checkpoint can be late, never wrong: a crash leaves the newer items
    /// Pending, not falsely Completed), and <see cref="Flush"/> writes the final state. Writes run off the workers'
    /// threads; the snapshot is taken under the shared gate (the lock that guards every item change).
    /// </summary>
    public sealed class ManifestCheckpointer
    {
        private readonly BackupManifest _manifest;
        private readonly object _gate;
        private readonly object _sync = new object();
        private readonly ManualResetEventSlim _wake = new ManualResetEventSlim(false);
        private readonly System.Diagnostics.Stopwatch _sinceWrite = new System.Diagnostics.Stopwatch();
        private Task _writer = Task.CompletedTask;
        private bool _dirty;
        private bool _running;
        private bool _closing;

        /// <summary>Creates the checkpointer.</summary>
        public ManifestCheckpointer(BackupManifest manifest, object gate)
        {
            _manifest = manifest;
            _gate = gate;
        }

        /// <summary>The shortest time between two checkpoints (default 2 seconds); the first and the final write are not delayed.</summary>
        public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How many times the file was written.</summary>
        public int Writes { get; private set; }

        /// <summary>The last write error, if any (the sync goes on; the final write reports it).</summary>
        public Exception LastError { get; private set; }

        /// <summary>Asks for a checkpoint of the current state (written at once, or when <see cref="MinInterval"/> has passed since the last write).</summary>
        public void Request()
        {
            lock (_sync)
            {
                if (_closing)
                {
                    return;
                }
                _dirty = true;
                if (_running)
                {
                    return;
                }
                _running = true;
                _writer = Task.Run(WriteLoop);
            }
        }

        private void WriteLoop()
        {
            while (true)
            {
                TimeSpan wait;
                lock (_sync)
                {
                    if (!_dirty || _closing)
                    {
                        _running = false;
                        return;
                    }
                    wait = _sinceWrite.IsRunning ? MinInterval - _sinceWrite.Elapsed : TimeSpan.Zero;
                    if (wait <= TimeSpan.Zero)
                    {
                        _dirty = false;
                    }
                }
                if (wait > TimeSpan.Zero)
                {
                    _wake.Wait(wait);
                    continue;
                }
                try
                {
                    WriteNow();
                    LastError = null;
                }
                catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
                {
                    LastError = e;
                }
            }
        }

        /// <summary>Stops the checkpoints (a waiting one is dropped), then writes the final state on the calling thread (errors are thrown).</summary>
        public void Flush()
        {
            Task writer;
            lock (_sync)
            {
                _closing = true;
                writer = _writer;
            }
            _wake.Set();
            try
            {
                writer.Wait();
            }
            catch (AggregateException)
            {
            }
            WriteNow();
        }

        /// <summary>Writes the current state now, on the calling thread (errors are thrown).</summary>
        public void WriteNow()
        {
            string json;
            string path;
            lock (_gate)
            {
                _manifest.RefreshStatus();
                _manifest.ModuleVersion = _manifest.ModuleVersion ?? ModuleInfo.Version;
                json = ManifestStore.ToJson(_manifest);
                path = _manifest.ManifestPath;
            }
            lock (this)
            {
                AtomicFile.WriteAllText(path, json, ownerOnly: false);
                Writes++;
                _sinceWrite.Restart();
            }
        }
    }
}

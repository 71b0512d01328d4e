using System;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Common;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Writes a manifest atomically whenever asked, without making the workers wait: a request while a write runs is
    /// coalesced into one more write afterwards, so the file always catches up with the newest state. The snapshot is
    /// taken under the shared gate (the lock that guards every item change).
    /// </summary>
    public sealed class ManifestCheckpointer
    {
        private readonly BackupManifest _manifest;
        private readonly object _gate;
        private readonly object _sync = new object();
        private Task _writer = Task.CompletedTask;
        private bool _dirty;
        private bool _running;

        /// <summary>Creates the checkpointer.</summary>
        public ManifestCheckpointer(BackupManifest manifest, object gate)
        {
            _manifest = manifest;
            _gate = gate;
        }

        /// <summary>How many times the file was written.</summary>
        public int Writes { get; private set; }

        /// <summary>The last write error, if any (the sync goes on; the final write reports it).</summary>
        public Exception LastError { get; private set; }

        /// <summary>Asks for a write of the current state.</summary>
        public void Request()
        {
            lock (_sync)
            {
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
                lock (_sync)
                {
                    if (!_dirty)
                    {
                        _running = false;
                        return;
                    }
                    _dirty = false;
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

        /// <summary>Waits for pending writes, then writes the final state on the calling thread (errors are thrown).</summary>
        public void Flush()
        {
            Task writer;
            lock (_sync)
            {
                writer = _writer;
            }
            try
            {
                writer.Wait();
            }
            catch (AggregateException)
            {
            }
            WriteNow();
        }

        private void WriteNow()
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
            }
        }
    }
}

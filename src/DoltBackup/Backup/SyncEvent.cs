using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>What happened during a sync, reported to an <see cref="ISyncObserver"/> (a copy: safe to read on any thread).</summary>
    public sealed class SyncEvent
    {
        /// <summary>What kind of event.</summary>
        public SyncEventKind Kind { get; set; }
        /// <summary>The database concerned (null for set-level messages).</summary>
        public string Database { get; set; }
        /// <summary>The item's URL.</summary>
        public string Url { get; set; }
        /// <summary>The item's status after the event.</summary>
        public ItemStatus Status { get; set; }
        /// <summary>The failure, for a failed database.</summary>
        public DoltEngineException Error { get; set; }
        /// <summary>Message text (verbose or warning).</summary>
        public string Message { get; set; }
        /// <summary>Databases finished so far (completed or failed).</summary>
        public int Finished { get; set; }
        /// <summary>Databases in this sync.</summary>
        public int Total { get; set; }
        /// <summary>How long the database took, in milliseconds.</summary>
        public long? DurationMs { get; set; }
    }

    /// <summary>Kinds of <see cref="SyncEvent"/>.</summary>
    public enum SyncEventKind
    {
        /// <summary>Work on a database started.</summary>
        DatabaseStarted,
        /// <summary>A database finished (completed or failed).</summary>
        DatabaseFinished,
        /// <summary>Detail for -Verbose.</summary>
        Verbose,
        /// <summary>Something the user should know.</summary>
        Warning,
    }

    /// <summary>Receives sync events. Called from worker threads: implementations must be thread-safe.</summary>
    public interface ISyncObserver
    {
        /// <summary>Reports an event.</summary>
        void OnEvent(SyncEvent e);
    }
}

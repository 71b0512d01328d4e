using DoltBackup.Common;

namespace DoltBackup.FileCopy
{
    /// <summary>Why a FileCopy backup refused to copy: a Dolt process uses the data dir.</summary>
    public enum FileCopyRefusal
    {
        /// <summary>Another process holds a database's noms/LOCK (or oldgen/LOCK).</summary>
        DatabaseLocked,
        /// <summary>sql-server.info names a port that answers.</summary>
        ServerRunning,
        /// <summary>The data dir is not usable (missing, or the backup folder is inside it).</summary>
        InvalidDataDir,
        /// <summary>
        /// An encrypted archive (or tree file) would exceed what one AES-GCM stream can encrypt under one key and nonce
        /// (2^32 - 2 blocks, 64 GiB): refused before anything is written.
        /// </summary>
        TooLargeToEncrypt,
    }

    /// <summary>A FileCopy backup refused to run; nothing was copied. <c>-Force</c> never overrides this.</summary>
    public sealed class FileCopyRefusedException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public FileCopyRefusedException(FileCopyRefusal reason, string message, string database = null, int? pid = null, int? port = null) : base(message)
        {
            Reason = reason;
            Database = database;
            Pid = pid;
            Port = port;
        }

        /// <summary>Why.</summary>
        public FileCopyRefusal Reason { get; }
        /// <summary>The locked database, for DatabaseLocked.</summary>
        public string Database { get; }
        /// <summary>The server's pid from sql-server.info, for ServerRunning.</summary>
        public int? Pid { get; }
        /// <summary>The server's port from sql-server.info, for ServerRunning.</summary>
        public int? Port { get; }
    }
}

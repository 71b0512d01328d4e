using System;
using DoltBackup.Server;

namespace DoltBackup.Engine
{
    /// <summary>What a cmdlet asks of <see cref="DoltEngineFactory"/>: a server, or an offline data directory.</summary>
    public sealed class DoltEngineRequest
    {
        /// <summary>The server to talk to (server mode). Holds the password: never log it.</summary>
        public ServerConnectionSettings Server { get; set; }

        /// <summary>The data directory (CLI mode), absolute.</summary>
        public string DataDir { get; set; }

        /// <summary>The dolt binary for CLI mode (null: dolt from PATH).</summary>
        public string DoltPath { get; set; }

        /// <summary>How long one Dolt operation may run (zero: no limit).</summary>
        public TimeSpan OperationTimeout { get; set; }

        /// <summary>True for CLI mode.</summary>
        public bool IsOffline => !string.IsNullOrEmpty(DataDir);

        /// <summary>A copy (the settings copied too).</summary>
        public DoltEngineRequest Clone() => new DoltEngineRequest
        {
            Server = Server?.Clone(), DataDir = DataDir, DoltPath = DoltPath, OperationTimeout = OperationTimeout,
        };

        /// <inheritdoc />
        public override string ToString() => IsOffline ? "data directory " + DataDir : "server " + Server;
    }
}

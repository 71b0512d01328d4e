using System.Threading;

namespace DoltBackup.Verification
{
    /// <summary>What a restore test (<see cref="RestoreTester"/>) restores, and as what.</summary>
    public sealed class RestoreTestOptions
    {
        /// <summary>Names or wildcard patterns of the databases to test (null or empty: all).</summary>
        public string[] DatabasePatterns { get; set; }

        /// <summary>The scratch name of the single selected database (server mode); null: <see cref="Prefix"/> + name.</summary>
        public string NewName { get; set; }

        /// <summary>The prefix of the scratch names in server mode (for example dbtest_1a2b3c4d_).</summary>
        public string Prefix { get; set; }

        /// <summary>Offline mode: the scratch data directory (it must not exist or be empty; it is emptied or deleted afterwards).</summary>
        public string ScratchDataDir { get; set; }

        /// <summary>Also decompress every chunk when verifying unpacked FileCopy stores.</summary>
        public bool Deep { get; set; }

        /// <summary>Stops the test (Ctrl+C).</summary>
        public CancellationToken CancellationToken { get; set; }
    }
}

namespace DoltBackup.FileCopy
{
    /// <summary>What a FileCopy restore did.</summary>
    public sealed class FileCopyRestoreResult
    {
        /// <summary>The restored data dir (absolute).</summary>
        public string TargetDataDir { get; set; }
        /// <summary>Files written, each checked against its recorded SHA-256.</summary>
        public int Files { get; set; }
        /// <summary>Bytes written.</summary>
        public long Bytes { get; set; }
        /// <summary>True when an existing data dir was replaced (-Force).</summary>
        public bool Replaced { get; set; }
    }
}

namespace DoltBackup.FileCopy
{
    /// <summary>Progress of a FileCopy backup or restore.</summary>
    public sealed class FileCopyProgress
    {
        /// <summary>Creates a report.</summary>
        public FileCopyProgress(string activity, string currentFile, int filesDone, int filesTotal, long bytesDone, long bytesTotal)
        {
            Activity = activity;
            CurrentFile = currentFile;
            FilesDone = filesDone;
            FilesTotal = filesTotal;
            BytesDone = bytesDone;
            BytesTotal = bytesTotal;
        }

        /// <summary>What is being done.</summary>
        public string Activity { get; }
        /// <summary>The file being copied (relative to the data dir).</summary>
        public string CurrentFile { get; }
        /// <summary>Files finished.</summary>
        public int FilesDone { get; }
        /// <summary>Files in all.</summary>
        public int FilesTotal { get; }
        /// <summary>Bytes copied.</summary>
        public long BytesDone { get; }
        /// <summary>Bytes in all.</summary>
        public long BytesTotal { get; }
        /// <summary>0..100.</summary>
        public int Percent => BytesTotal > 0 ? (int)System.Math.Min(100, BytesDone * 100 / BytesTotal) : (FilesTotal > 0 ? FilesDone * 100 / FilesTotal : 0);
    }
}

namespace DoltBackup.Verification
{
    /// <summary>Progress of a verification run: the file under check and bytes done of the current file.</summary>
    public sealed class VerificationProgress
    {
        /// <summary>Creates a progress report.</summary>
        public VerificationProgress(string activity, string currentItem, long bytesDone, long bytesTotal)
        {
            Activity = activity;
            CurrentItem = currentItem;
            BytesDone = bytesDone;
            BytesTotal = bytesTotal;
        }

        /// <summary>What is being done.</summary>
        public string Activity { get; }
        /// <summary>The file or item under check.</summary>
        public string CurrentItem { get; }
        /// <summary>Bytes processed of the item.</summary>
        public long BytesDone { get; }
        /// <summary>Bytes of the item in all (0 when unknown).</summary>
        public long BytesTotal { get; }
        /// <summary>Percentage 0..100, or -1 when unknown.</summary>
        public int Percent => BytesTotal > 0 ? (int)System.Math.Min(100, BytesDone * 100 / BytesTotal) : -1;
    }
}

using System;
using System.IO;
using DoltBackup.FileCopy;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// A test-only segment size for the encrypted archives of one data dir (<see cref="FileCopyOptions.SegmentBytesForTests"/>,
    /// read by the cmdlets, which build their own options), removed when disposed: it never outlives the test that set it.
    /// </summary>
    internal sealed class ArchiveSegmentOverride : IDisposable
    {
        private readonly string _dataDir;

        public ArchiveSegmentOverride(string dataDir, long segmentBytes)
        {
            _dataDir = Path.GetFullPath(dataDir);
            if (!FileCopyOptions.SegmentBytesForTests.TryAdd(_dataDir, segmentBytes))
            {
                throw new InvalidOperationException($"The segment size of '{_dataDir}' is overridden already.");
            }
        }

        public void Dispose() => FileCopyOptions.SegmentBytesForTests.TryRemove(_dataDir, out _);
    }
}

namespace DoltBackup.FileCopy
{
    /// <summary>How a FileCopy backup stores the data dir.</summary>
    public enum FileCopyFormat
    {
        /// <summary>One POSIX tar archive, datadir.tar.</summary>
        Tar,
        /// <summary>One gzip-compressed tar archive, datadir.tar.gz.</summary>
        TarGzip,
        /// <summary>A plain copy of the tree in datadir/.</summary>
        Tree,
    }
}

namespace DoltBackup.Ebs
{
    /// <summary>One line of /proc/self/mountinfo (the fields DoltBackup needs, octal escapes decoded).</summary>
    public sealed class MountInfoEntry
    {
        /// <summary>Major device number (0 for tmpfs, overlay, NFS and other non-block file systems).</summary>
        public int Major { get; set; }

        /// <summary>Minor device number.</summary>
        public int Minor { get; set; }

        /// <summary>Where it is mounted.</summary>
        public string MountPoint { get; set; }

        /// <summary>File system type (ext4, xfs, tmpfs, overlay, ...).</summary>
        public string FileSystemType { get; set; }

        /// <summary>The mount source, for example /dev/nvme1n1p1 or tmpfs.</summary>
        public string Source { get; set; }

        /// <inheritdoc />
        public override string ToString() => Source + " on " + MountPoint + " type " + FileSystemType;
    }
}

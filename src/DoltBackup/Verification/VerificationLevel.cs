namespace DoltBackup.Verification
{
    /// <summary>Which kind of check produced a result; each level sees a different kind of damage.</summary>
    public enum VerificationLevel
    {
        /// <summary>Files recorded in a backup manifest: present, size and SHA-256 as recorded.</summary>
        Artifact,
        /// <summary>Dolt storage framing: manifest, referenced files, footers, sizes, name hashes, journal record CRCs.</summary>
        Structure,
        /// <summary>Every chunk decompressed and re-hashed against its address (-Deep).</summary>
        Deep,
        /// <summary>The backup restored into a scratch copy and its heads (or, for FileCopy, its unpacked stores) compared with the manifest (-RestoreTest).</summary>
        RestoreTest,
    }
}

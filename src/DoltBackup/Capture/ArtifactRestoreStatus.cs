namespace DoltBackup.Capture
{
    /// <summary>What happened (or would happen, with -WhatIf) to one artifact of a restore.</summary>
    public enum ArtifactRestoreStatus
    {
        /// <summary>Validated; it would be written (what-if only).</summary>
        Planned,
        /// <summary>Written to its target, SHA-256 checked.</summary>
        Restored,
        /// <summary>The target already holds the same bytes: nothing to write.</summary>
        Unchanged,
        /// <summary>Refused by validation (unsafe path, tampered or missing stored file, existing different file
        /// without -Force): nothing of the whole restore was written.</summary>
        Refused,
        /// <summary>Valid, but not written because another artifact of the same restore was refused.</summary>
        NotWritten,
        /// <summary>Not restorable: the artifact was not captured (Failed or Skipped in the manifest).</summary>
        Skipped,
        /// <summary>Writing it failed; the other artifacts went on.</summary>
        Failed,
    }
}

using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Capture
{
    /// <summary>The outcome of one <see cref="ArtifactRestorer.Restore"/>: one result per artifact, in manifest order.</summary>
    public sealed class ArtifactRestoreReport
    {
        /// <summary>One result per artifact.</summary>
        public List<ArtifactRestoreResult> Items { get; } = new List<ArtifactRestoreResult>();

        /// <summary>True when this was a what-if plan (nothing written).</summary>
        public bool WhatIf { get; set; }

        /// <summary>True when validation refused at least one artifact, so nothing was written.</summary>
        public bool Refused => Items.Any(i => i.Status == ArtifactRestoreStatus.Refused);

        /// <summary>True when every artifact is restored, unchanged or (what-if) planned.</summary>
        public bool Succeeded => Items.All(i => i.Status == ArtifactRestoreStatus.Restored || i.Status == ArtifactRestoreStatus.Unchanged || i.Status == ArtifactRestoreStatus.Planned);
    }
}

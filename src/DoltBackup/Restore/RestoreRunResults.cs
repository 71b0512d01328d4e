using System.Collections.Generic;

namespace DoltBackup.Restore
{
    /// <summary>Everything one <see cref="RestoreOrchestrator.Execute"/> produced.</summary>
    public sealed class RestoreRunResults
    {
        /// <summary>One result per database that was tried or refused (declined steps have none).</summary>
        public List<DatabaseRestoreResult> Databases { get; } = new List<DatabaseRestoreResult>();

        /// <summary>One result per artifact group.</summary>
        public List<ArtifactGroupRestoreResult> Artifacts { get; } = new List<ArtifactGroupRestoreResult>();
    }
}

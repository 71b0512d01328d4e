namespace DoltBackup.Restore
{
    /// <summary>
    /// How a <see cref="RestoreOrchestrator"/> talks to its caller (the cmdlet: ShouldProcess, Write-Progress,
    /// Write-Verbose, output and errors). Called on the caller's thread.
    /// </summary>
    public interface IRestoreObserver
    {
        /// <summary>Asks whether to go ahead (ShouldProcess: -WhatIf prints the action and returns false, -Confirm prompts).</summary>
        bool ShouldProcess(string target, string action);

        /// <summary>Progress: <paramref name="done"/> of <paramref name="total"/> steps.</summary>
        void Progress(int done, int total, string status);

        /// <summary>Verbose text (never holds a secret).</summary>
        void Verbose(string text);

        /// <summary>A warning that did not stop anything.</summary>
        void Warning(string text);

        /// <summary>A problem with the request as a whole.</summary>
        void Problem(PlanProblem problem);

        /// <summary>The result of one database (emitted as soon as it is known).</summary>
        void DatabaseResult(DatabaseRestoreResult result);

        /// <summary>The result of one artifact group.</summary>
        void ArtifactResult(ArtifactGroupRestoreResult result);
    }
}

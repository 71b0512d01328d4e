using System.Collections.Generic;
using DoltBackup.Restore;

namespace DoltBackup.Tests.Restore
{
    /// <summary>Records what the orchestrator tells its caller; answers ShouldProcess as told (false = -WhatIf or "No").</summary>
    public sealed class RecordingObserver : IRestoreObserver
    {
        public bool Answer { get; set; } = true;
        public List<string> Asked { get; } = new List<string>();
        public List<string> VerboseLines { get; } = new List<string>();
        public List<string> Warnings { get; } = new List<string>();
        public List<PlanProblem> Problems { get; } = new List<PlanProblem>();
        public List<DatabaseRestoreResult> Databases { get; } = new List<DatabaseRestoreResult>();
        public List<ArtifactGroupRestoreResult> Artifacts { get; } = new List<ArtifactGroupRestoreResult>();
        public List<(int Done, int Total, string Status)> ProgressRecords { get; } = new List<(int, int, string)>();

        public bool ShouldProcess(string target, string action)
        {
            Asked.Add(action);
            return Answer;
        }

        public void Progress(int done, int total, string status) => ProgressRecords.Add((done, total, status));
        public void Verbose(string text) => VerboseLines.Add(text);
        public void Warning(string text) => Warnings.Add(text);
        public void Problem(PlanProblem problem) => Problems.Add(problem);
        public void DatabaseResult(DatabaseRestoreResult result) => Databases.Add(result);
        public void ArtifactResult(ArtifactGroupRestoreResult result) => Artifacts.Add(result);
    }
}

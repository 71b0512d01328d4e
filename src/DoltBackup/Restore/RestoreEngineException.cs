using System;
using System.Management.Automation;

namespace DoltBackup.Restore
{
    /// <summary>A failed restore operation, classified for the user: an error id, a category and what to do.</summary>
    public sealed class RestoreEngineException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public RestoreEngineException(string message, string errorId, ErrorCategory category, string recommendedAction, bool isConnectionLevel = false, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            RecommendedAction = recommendedAction;
            IsConnectionLevel = isConnectionLevel;
        }

        /// <summary>Stable id stem (the ErrorRecord id is DoltBackup.&lt;ErrorId&gt;).</summary>
        public string ErrorId { get; }

        /// <summary>The ErrorRecord category.</summary>
        public ErrorCategory Category { get; }

        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; }

        /// <summary>True when the target cannot be used at all (unreachable, login refused): other databases would fail alike.</summary>
        public bool IsConnectionLevel { get; }
    }
}

using System;
using System.Management.Automation;

namespace DoltBackup.Engine
{
    /// <summary>
    /// A failed Dolt operation, classified: a kind, the ErrorRecord id stem and category, a recommended action, and
    /// Dolt's own message (and the CLI's stderr). Messages never hold passwords.
    /// </summary>
    public sealed class DoltEngineException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public DoltEngineException(DoltErrorKind kind, string message, string errorId, ErrorCategory category, string recommendedAction,
            string doltMessage = null, Exception inner = null)
            : base(message, inner)
        {
            Kind = kind;
            ErrorId = errorId;
            Category = category;
            RecommendedAction = recommendedAction;
            DoltMessage = doltMessage;
        }

        /// <summary>What kind of failure it is.</summary>
        public DoltErrorKind Kind { get; }

        /// <summary>Stable id stem (the ErrorRecord id is DoltBackup.&lt;ErrorId&gt;).</summary>
        public string ErrorId { get; }

        /// <summary>The ErrorRecord category.</summary>
        public ErrorCategory Category { get; }

        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; }

        /// <summary>Dolt's message as it was reported (server error text, or the CLI's stderr).</summary>
        public string DoltMessage { get; }

        /// <summary>The CLI's exit code, when the error came from the dolt CLI.</summary>
        public int? ExitCode { get; set; }

        /// <summary>True when the server itself cannot be used (refused, login failed): other databases will fail alike.</summary>
        public bool IsConnectionLevel => Kind == DoltErrorKind.Connection;
    }
}

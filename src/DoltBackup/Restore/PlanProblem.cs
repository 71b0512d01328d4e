namespace DoltBackup.Restore
{
    /// <summary>A problem found while planning that concerns the request rather than one database.</summary>
    public sealed class PlanProblem
    {
        /// <summary>Creates the problem.</summary>
        public PlanProblem(string errorId, string message, string target, string recommendedAction)
        {
            ErrorId = errorId;
            Message = message;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        /// <summary>ErrorRecord id stem.</summary>
        public string ErrorId { get; }
        /// <summary>What is wrong.</summary>
        public string Message { get; }
        /// <summary>What it concerns.</summary>
        public string Target { get; }
        /// <summary>What to do.</summary>
        public string RecommendedAction { get; }

        /// <inheritdoc />
        public override string ToString() => Message;
    }
}

namespace DoltBackup.Retention
{
    /// <summary>What a retention plan does with a set.</summary>
    public enum RetentionAction
    {
        /// <summary>The set stays.</summary>
        Keep,
        /// <summary>The set goes: its folder and the data it owns.</summary>
        Delete,
    }
}

using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>A progress report of an EBS step; a cmdlet turns it into Write-Progress on its own thread.</summary>
    public sealed class EbsProgress
    {
        /// <summary>The activity, for example "EBS snapshots of 20261123T191000Z-prod".</summary>
        public string Activity { get; set; }
        /// <summary>What is happening now, for example "snap-0a1: 40%, snap-0b2: 55%".</summary>
        public string StatusDescription { get; set; }
        /// <summary>0 to 100 (the least advanced item), or -1 when unknown.</summary>
        public int PercentComplete { get; set; } = -1;
        /// <summary>True on the last report of the step (always sent, errors included).</summary>
        public bool Completed { get; set; }
        /// <summary>
        /// The record for Cmdlet.WriteProgress (call it on the pipeline thread, where the callback runs): the last
        /// report has RecordType Completed, so the bar always goes away, errors included.
        /// </summary>
        public System.Management.Automation.ProgressRecord ToProgressRecord(int activityId, int parentActivityId = -1)
        {
            var record = new System.Management.Automation.ProgressRecord(activityId, string.IsNullOrEmpty(Activity) ? "EBS" : Activity,
                string.IsNullOrEmpty(StatusDescription) ? "..." : StatusDescription)
            {
                PercentComplete = PercentComplete < 0 ? -1 : System.Math.Min(100, PercentComplete),
                ParentActivityId = parentActivityId,
            };
            if (Completed)
            {
                record.RecordType = System.Management.Automation.ProgressRecordType.Completed;
            }
            return record;
        }

        /// <inheritdoc />
        public override string ToString() => Activity + ": " + StatusDescription;
    }
}

using System.Collections;
using System.Collections.Generic;

namespace DoltBackup.Restore
{
    /// <summary>
    /// What Restore-DoltBackup was asked for an EbsSnapshot backup set, in plain types (no AWS SDK types, so the cmdlet
    /// can build it without loading AWS).
    /// </summary>
    public sealed class EbsSetRestoreRequest
    {
        /// <summary>-Region; null: the SDK's region chain.</summary>
        public string Region { get; set; }
        /// <summary>-ProfileName; null: the SDK's credential chain.</summary>
        public string ProfileName { get; set; }
        /// <summary>-EndpointUrl; null: the region's endpoint.</summary>
        public string EndpointUrl { get; set; }
        /// <summary>-AvailabilityZone; null: the zone of -InstanceId, else the backup's zone.</summary>
        public string AvailabilityZone { get; set; }
        /// <summary>-InstanceId: attach the volumes to it; null: only create them.</summary>
        public string InstanceId { get; set; }
        /// <summary>-Device: one per snapshot, in manifest order.</summary>
        public IList<string> Devices { get; set; }
        /// <summary>-VolumeType; null: EC2's default.</summary>
        public string VolumeType { get; set; }
        /// <summary>-Tag: extra tags (a PowerShell hashtable).</summary>
        public IDictionary Tags { get; set; }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using DoltBackup.Common;
using DoltBackup.Ebs;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Restore-DoltBackup for an EbsSnapshot backup set: checks the request and the snapshots (reads only), asks once for
    /// the whole set (every volume listed, so -WhatIf shows them all and changes nothing), then creates, waits for and
    /// optionally attaches one volume per snapshot through <see cref="EbsVolumeRestore"/>. Reports one
    /// <see cref="RestoredVolume"/> per snapshot and one ErrorRecord per failure. Mounting is left to the user.
    /// </summary>
    public sealed class EbsSetRestore
    {
        private readonly Func<EbsConnectionOptions, IEc2Api> _ec2Factory;

        /// <summary>Creates the service; <paramref name="ec2Factory"/> defaults to the AWS SDK (loaded only when called).</summary>
        public EbsSetRestore(Func<EbsConnectionOptions, IEc2Api> ec2Factory = null)
        {
            _ec2Factory = ec2Factory ?? Ec2ApiFactory.Create;
        }

        /// <summary>
        /// Restores the set. Problems found before anything is created (bad -Device count, a snapshot not completed,
        /// a zone mismatch, access denied on a read) are one error for the set, with nothing created.
        /// </summary>
        public IReadOnlyList<RestoredVolume> Restore(BackupManifest manifest, EbsSetRestoreRequest request, EbsRestoreCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (manifest == null) throw new ArgumentNullException(nameof(manifest));
            request = request ?? new EbsSetRestoreRequest();
            callbacks = callbacks ?? new EbsRestoreCallbacks();
            string target = "backup set " + (manifest.Id ?? manifest.Name);
            EbsRestoreOptions options;
            try
            {
                options = ToOptions(request);
                // Checks that need no request first: nothing is sent for a wrong -Device count.
                EbsVolumeRestore.CheckDevices(manifest, options);
            }
            catch (EbsException e)
            {
                callbacks.Error(e.ToErrorRecord(manifest.Id));
                return new RestoredVolume[0];
            }

            try
            {
                using (var ec2 = _ec2Factory(options))
                {
                    var restore = new EbsVolumeRestore(ec2);
                    var plan = restore.Plan(manifest, options, cancellationToken);
                    if (!callbacks.ShouldProcess(target, Describe(plan, options)))
                    {
                        callbacks.Verbose($"Not confirmed: no volume was created for {target}.");
                        return new RestoredVolume[0];
                    }
                    callbacks.Verbose($"Creating {plan.Count} EBS volume(s) for {target} in {plan[0].AvailabilityZone} (region {ec2.Region ?? "from the SDK chain"}).");
                    var results = restore.Run(manifest, options, callbacks.Progress, cancellationToken);
                    foreach (var r in results)
                    {
                        callbacks.Result(r);
                        if (r.Status == ItemStatus.Failed)
                        {
                            callbacks.Error(DoltBackupErrors.Create(r.Error, r.ErrorId ?? "EbsVolumeRestoreFailed", r.ErrorCategory, r.SnapshotId,
                                r.RecommendedAction ?? "Check the volume in the EC2 console and restore again."));
                        }
                    }
                    if (results.Any(r => r.Status == ItemStatus.Completed))
                    {
                        callbacks.Verbose("The volumes are not mounted: see Get-Help Restore-DoltBackup -Full or docs/ebs.md (lsblk, mount -o ro,nouuid for XFS, vgimportclone for LVM).");
                    }
                    return results;
                }
            }
            catch (EbsException e)
            {
                callbacks.Error(e.ToErrorRecord(manifest.Id));
                return new RestoredVolume[0];
            }
        }

        /// <summary>The options of <see cref="EbsVolumeRestore"/>; a bad -Tag throws <see cref="EbsException"/>.</summary>
        public static EbsRestoreOptions ToOptions(EbsSetRestoreRequest request)
        {
            var options = new EbsRestoreOptions
            {
                Region = request.Region,
                ProfileName = request.ProfileName,
                EndpointUrl = request.EndpointUrl,
                AvailabilityZone = request.AvailabilityZone,
                InstanceId = request.InstanceId,
                VolumeType = request.VolumeType,
                Tags = EbsTags.FromHashtable(request.Tags),
            };
            foreach (var d in request.Devices ?? new string[0])
            {
                options.Devices.Add(d);
            }
            return options;
        }

        /// <summary>The ShouldProcess text: every volume that would be created, its zone, and where it would be attached.</summary>
        public static string Describe(IReadOnlyList<RestoredVolume> plan, EbsRestoreOptions options)
        {
            var text = new StringBuilder();
            text.Append($"Create {plan.Count} EBS volume(s)");
            text.Append(options.InstanceId != null ? $" and attach them to {options.InstanceId}" : " (not attached)");
            foreach (var p in plan)
            {
                text.Append($"; volume from {p.SnapshotId} (source {p.SourceVolumeId ?? "unknown volume"}) in {p.AvailabilityZone}");
                if (p.Device != null)
                {
                    text.Append($" at {p.Device}");
                }
            }
            return text.ToString();
        }
    }
}

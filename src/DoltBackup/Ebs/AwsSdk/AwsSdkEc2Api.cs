using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace DoltBackup.Ebs.AwsSdk
{
    /// <summary>
    /// <see cref="IEc2Api"/> on AWSSDK.EC2 v4. The only class that names AWS SDK types; made by
    /// <see cref="Ec2ApiFactory"/> after the assembly resolver is in place. Region, profile and endpoint follow AWS.Tools
    /// conventions; anything not given comes from the SDK's default chains. Errors become <see cref="EbsException"/>s.
    /// </summary>
    internal sealed class AwsSdkEc2Api : IEc2Api
    {
        private readonly AmazonEC2Client _client;

        public AwsSdkEc2Api(EbsConnectionOptions options) : this(options, null, null)
        {
        }

        /// <summary>Tests: explicit (fake) credentials, config tweaks, and a client subclass (for example with short retry delays).</summary>
        internal AwsSdkEc2Api(EbsConnectionOptions options, AWSCredentials credentials, Action<AmazonEC2Config> configure,
            Func<AWSCredentials, AmazonEC2Config, AmazonEC2Client> createClient = null)
        {
            options = options ?? new EbsConnectionOptions();
            var config = new AmazonEC2Config();
            string region = options.Region;
            if (!string.IsNullOrEmpty(options.ProfileName))
            {
                var chain = new CredentialProfileStoreChain();
                if (!chain.TryGetProfile(options.ProfileName, out var profile) || credentials == null && !chain.TryGetAWSCredentials(options.ProfileName, out credentials))
                {
                    throw new EbsException("EbsProfileNotFound", System.Management.Automation.ErrorCategory.ObjectNotFound,
                        $"The AWS profile '{options.ProfileName}' was not found (or has no usable credentials) in the shared credentials and config files or the SDK store.",
                        "Check the name (Get-AWSCredential -ListProfileDetail, or aws configure list-profiles), or leave -ProfileName out to use the default chain.");
                }
                region = region ?? profile.Region?.SystemName;
            }
            if (string.IsNullOrEmpty(region) && string.IsNullOrEmpty(options.EndpointUrl))
            {
                region = FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
                if (string.IsNullOrEmpty(region))
                {
                    throw new EbsException("EbsNoRegion", System.Management.Automation.ErrorCategory.InvalidArgument,
                        "No AWS region is configured (no -Region, none in the profile, AWS_REGION or AWS_DEFAULT_REGION, or the instance metadata).",
                        "Give -Region, for example -Region eu-west-1.");
                }
            }
            if (!string.IsNullOrEmpty(options.EndpointUrl))
            {
                if (!Uri.TryCreate(options.EndpointUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
                {
                    throw new EbsException("EbsInvalidEndpoint", System.Management.Automation.ErrorCategory.InvalidArgument,
                        $"-EndpointUrl '{options.EndpointUrl}' is not an http(s) URL.", "Give a URL such as https://ec2.eu-west-1.amazonaws.com.");
                }
                config.ServiceURL = options.EndpointUrl;
                if (!string.IsNullOrEmpty(region))
                {
                    config.AuthenticationRegion = region;
                }
            }
            else
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }
            configure?.Invoke(config);
            Region = region;
            try
            {
                _client = createClient != null ? createClient(credentials, config)
                    : credentials != null ? new AmazonEC2Client(credentials, config) : new AmazonEC2Client(config);
            }
            catch (AmazonClientException e)
            {
                // The v4 client resolves credentials when it is created: the default chain found none.
                throw new EbsException("EbsNoCredentials", System.Management.Automation.ErrorCategory.AuthenticationError,
                    "No AWS credentials were found for EC2 (" + FirstLine(e.Message) + ").",
                    "Give -ProfileName, or set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run on an instance with an IAM role.", e);
            }
        }

        public string Region { get; }

        public IReadOnlyList<Ec2Volume> DescribeVolumes(IReadOnlyCollection<string> volumeIds, CancellationToken cancellationToken)
        {
            var result = new List<Ec2Volume>();
            string next = null;
            do
            {
                var r = Call("DescribeVolumes", ct => _client.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = volumeIds.ToList(), NextToken = next }, ct), cancellationToken);
                result.AddRange((r.Volumes ?? new List<Volume>()).Select(ToVolume));
                next = r.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
            return result;
        }

        public Ec2Instance DescribeInstance(string instanceId, CancellationToken cancellationToken)
        {
            var r = Call("DescribeInstances", ct => _client.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { instanceId } }, ct), cancellationToken);
            var instance = (r.Reservations ?? new List<Reservation>()).SelectMany(x => x.Instances ?? new List<Instance>()).FirstOrDefault(i => i.InstanceId == instanceId);
            if (instance == null)
            {
                throw new EbsException("EbsNotFound", System.Management.Automation.ErrorCategory.ObjectNotFound,
                    $"EC2 in {Region} does not know instance {instanceId}.", "Check the instance id and -Region.") { AwsErrorCode = "InvalidInstanceID.NotFound" };
            }
            return new Ec2Instance
            {
                InstanceId = instance.InstanceId,
                AvailabilityZone = instance.Placement?.AvailabilityZone,
                RootDeviceName = instance.RootDeviceName,
                BlockDevices = (instance.BlockDeviceMappings ?? new List<InstanceBlockDeviceMapping>())
                    .Where(b => b.Ebs != null)
                    .Select(b => new Ec2VolumeAttachment { Device = b.DeviceName, VolumeId = b.Ebs.VolumeId, InstanceId = instance.InstanceId, State = b.Ebs.Status?.Value })
                    .ToList(),
            };
        }

        public Ec2Snapshot CreateSnapshot(string volumeId, string description, IDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            var request = new CreateSnapshotRequest
            {
                VolumeId = volumeId,
                Description = description,
                TagSpecifications = TagSpecs(ResourceType.Snapshot, tags),
            };
            var r = Call("CreateSnapshot", ct => _client.CreateSnapshotAsync(request, ct), cancellationToken);
            return ToSnapshot(r.Snapshot);
        }

        public IReadOnlyList<Ec2Snapshot> CreateSnapshots(string instanceId, bool excludeBootVolume, IReadOnlyCollection<string> excludeDataVolumeIds,
            string description, IDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            var request = new CreateSnapshotsRequest
            {
                InstanceSpecification = new InstanceSpecification
                {
                    InstanceId = instanceId,
                    ExcludeBootVolume = excludeBootVolume,
                    ExcludeDataVolumeIds = excludeDataVolumeIds != null && excludeDataVolumeIds.Count > 0 ? excludeDataVolumeIds.ToList() : null,
                },
                Description = description,
                TagSpecifications = TagSpecs(ResourceType.Snapshot, tags),
            };
            var r = Call("CreateSnapshots", ct => _client.CreateSnapshotsAsync(request, ct), cancellationToken);
            return (r.Snapshots ?? new List<SnapshotInfo>()).Select(s => new Ec2Snapshot
            {
                SnapshotId = s.SnapshotId,
                VolumeId = s.VolumeId,
                State = s.State?.Value,
                Progress = s.Progress,
                VolumeSizeGiB = s.VolumeSize,
                StartTimeUtc = s.StartTime?.ToUniversalTime(),
            }).ToList();
        }

        public IReadOnlyList<Ec2Snapshot> DescribeSnapshots(IReadOnlyCollection<string> snapshotIds, CancellationToken cancellationToken)
        {
            var result = new List<Ec2Snapshot>();
            string next = null;
            do
            {
                var r = Call("DescribeSnapshots", ct => _client.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = snapshotIds.ToList(), NextToken = next }, ct), cancellationToken);
                result.AddRange((r.Snapshots ?? new List<Snapshot>()).Select(ToSnapshot));
                next = r.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
            return result;
        }

        public void CreateTags(IReadOnlyCollection<string> resourceIds, IDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            var request = new CreateTagsRequest { Resources = resourceIds.ToList(), Tags = ToTags(tags) };
            Call("CreateTags", ct => _client.CreateTagsAsync(request, ct), cancellationToken);
        }

        public Ec2Volume CreateVolume(string snapshotId, string availabilityZone, string volumeType, IDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            var request = new CreateVolumeRequest
            {
                SnapshotId = snapshotId,
                AvailabilityZone = availabilityZone,
                TagSpecifications = TagSpecs(ResourceType.Volume, tags),
            };
            if (!string.IsNullOrEmpty(volumeType))
            {
                request.VolumeType = new VolumeType(volumeType);
            }
            var r = Call("CreateVolume", ct => _client.CreateVolumeAsync(request, ct), cancellationToken);
            return ToVolume(r.Volume);
        }

        public Ec2VolumeAttachment AttachVolume(string volumeId, string instanceId, string device, CancellationToken cancellationToken)
        {
            var r = Call("AttachVolume", ct => _client.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volumeId, InstanceId = instanceId, Device = device }, ct), cancellationToken);
            var a = r.Attachment;
            return new Ec2VolumeAttachment { VolumeId = a?.VolumeId ?? volumeId, InstanceId = a?.InstanceId ?? instanceId, Device = a?.Device ?? device, State = a?.State?.Value };
        }

        public void DeleteSnapshot(string snapshotId, CancellationToken cancellationToken)
            => Call("DeleteSnapshot", ct => _client.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, ct), cancellationToken);

        public void Dispose() => _client?.Dispose();

        private T Call<T>(string action, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            try
            {
                return call(cancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (!(e is EbsException))
            {
                throw Translate(e, action);
            }
        }

        private static List<TagSpecification> TagSpecs(ResourceType type, IDictionary<string, string> tags)
            => tags == null || tags.Count == 0 ? null : new List<TagSpecification> { new TagSpecification { ResourceType = type, Tags = ToTags(tags) } };

        private static List<Tag> ToTags(IDictionary<string, string> tags)
            => tags.Select(kv => new Tag { Key = kv.Key, Value = kv.Value ?? "" }).ToList();

        private static Ec2Snapshot ToSnapshot(Snapshot s) => s == null ? null : new Ec2Snapshot
        {
            SnapshotId = s.SnapshotId,
            VolumeId = s.VolumeId,
            State = s.State?.Value,
            StateMessage = s.StateMessage,
            Progress = s.Progress,
            VolumeSizeGiB = s.VolumeSize,
            StartTimeUtc = s.StartTime?.ToUniversalTime(),
        };

        private static Ec2Volume ToVolume(Volume v) => v == null ? null : new Ec2Volume
        {
            VolumeId = v.VolumeId,
            SizeGiB = v.Size,
            AvailabilityZone = v.AvailabilityZone,
            State = v.State?.Value,
            SnapshotId = v.SnapshotId,
            VolumeType = v.VolumeType?.Value,
            Attachments = (v.Attachments ?? new List<VolumeAttachment>())
                .Select(a => new Ec2VolumeAttachment { VolumeId = a.VolumeId ?? v.VolumeId, InstanceId = a.InstanceId, Device = a.Device, State = a.State?.Value })
                .ToList(),
        };

        internal static EbsException Translate(Exception e, string action)
            => Ec2ErrorTranslator.Translate(e is AmazonServiceException se ? se.ErrorCode : null, e is AmazonServiceException s2 ? (int)s2.StatusCode : 0,
                e.Message, action, e is AmazonClientException && !(e is AmazonServiceException), IsNetworkError(e), e);

        private static string FirstLine(string text)
        {
            text = text ?? "";
            int nl = text.IndexOfAny(new[] { '\r', '\n' });
            return (nl < 0 ? text : text.Substring(0, nl)).Trim();
        }

        private static bool IsNetworkError(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
            {
                if (x is HttpRequestException || x is System.Net.WebException || x is System.Net.Sockets.SocketException || x is TaskCanceledException)
                {
                    return true;
                }
            }
            return false;
        }
    }
}

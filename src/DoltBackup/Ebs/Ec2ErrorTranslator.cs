using System;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Turns an EC2 error (code, HTTP status, message) into an <see cref="EbsException"/> a DBA can act on. An
    /// access-denied names the ec2: action that is missing: the one in AWS's message when it names one (tag-on-create
    /// needs ec2:CreateTags), else the action being called. Kept free of AWS SDK types so it is testable on its own.
    /// </summary>
    public static class Ec2ErrorTranslator
    {
        private static readonly Regex ActionInMessage = new Regex(@"perform:\s*(ec2:[A-Za-z]+)", RegexOptions.CultureInvariant);
        private static readonly Regex EncodedBlob = new Regex(@"\s*Encoded authorization failure message:.*$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        /// <summary>The exception for an EC2 failure of <paramref name="action"/> (for example CreateSnapshot).</summary>
        public static EbsException Translate(string errorCode, int httpStatus, string message, string action, bool clientSide, bool network, Exception inner)
        {
            EbsException Make(string id, ErrorCategory category, string text2, string action2) => new EbsException(id, category, text2, action2, inner);
            string text = EncodedBlob.Replace(message ?? "", "").Trim();
            string op = "ec2:" + action;
            EbsException result;
            switch (errorCode)
            {
                case "UnauthorizedOperation":
                case "AccessDenied":
                case "AccessDeniedException":
                    var m = ActionInMessage.Match(text);
                    string missing = m.Success ? m.Groups[1].Value : op;
                    result = Make("EbsAccessDenied", ErrorCategory.PermissionDenied,
                        $"EC2 refused {op}: the AWS identity in use lacks the permission {missing}. ({text})",
                        $"Grant {missing} to the role or user DoltBackup runs as (docs/ebs.md lists every permission the EBS method needs).");
                    break;
                case "AuthFailure":
                case "InvalidClientTokenId":
                case "SignatureDoesNotMatch":
                case "UnrecognizedClientException":
                case "ExpiredToken":
                case "RequestExpired":
                    result = Make("EbsAuthenticationFailed", ErrorCategory.AuthenticationError,
                        $"AWS did not accept the credentials for {op} ({errorCode}: {text}).",
                        "Check the credentials: -ProfileName, the AWS_* environment variables, or the instance role; refresh expired session credentials.");
                    break;
                case "RequestLimitExceeded":
                case "Throttling":
                case "ThrottlingException":
                    result = Make("EbsThrottled", ErrorCategory.LimitsExceeded,
                        $"EC2 kept throttling {op} after the SDK's retries ({errorCode}).", "Run it again later, or spread backups of many volumes over time.");
                    break;
                case "SnapshotLimitExceeded":
                case "VolumeLimitExceeded":
                case "ResourceLimitExceeded":
                    result = Make("EbsLimitExceeded", ErrorCategory.LimitsExceeded,
                        $"{op} hit an EC2 limit ({errorCode}: {text}).", "Delete old snapshots or volumes (Remove-DoltBackup applies retention), or ask AWS for a higher quota.");
                    break;
                default:
                    if (errorCode != null && errorCode.EndsWith(".NotFound", StringComparison.Ordinal))
                    {
                        result = Make("EbsNotFound", ErrorCategory.ObjectNotFound,
                            $"{op} failed: {text} ({errorCode}).", "Check the id and -Region: EBS resources belong to one region.");
                    }
                    else if (errorCode != null)
                    {
                        result = Make("EbsRequestFailed", ErrorCategory.InvalidOperation,
                            $"{op} failed: {text} ({errorCode}, HTTP {httpStatus}).", "Read EC2's message above; docs/ebs.md explains the EBS method's requirements.");
                    }
                    else if (network)
                    {
                        result = Make("EbsEndpointUnreachable", ErrorCategory.ConnectionError,
                            $"{op} could not reach EC2: {text}", "Check the network path to EC2 (proxy, VPC endpoint, -EndpointUrl) and -Region.");
                    }
                    else if (clientSide)
                    {
                        result = Make("EbsAwsConfiguration", ErrorCategory.InvalidArgument,
                            $"The AWS SDK could not make the {op} call: {text}",
                            "Give -Region and -ProfileName, or set AWS_REGION and credentials in the environment, or run on an instance with a role.");
                    }
                    else
                    {
                        result = Make("EbsRequestFailed", ErrorCategory.NotSpecified, $"{op} failed: {text}", "Run it again with -Verbose and read EC2's message.");
                    }
                    break;
            }
            result.AwsErrorCode = errorCode;
            return result;
        }
    }
}

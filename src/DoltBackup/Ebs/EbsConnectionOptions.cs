namespace DoltBackup.Ebs
{
    /// <summary>
    /// Where and as whom EC2 is called, with the names AWS.Tools users know. Anything left null falls back to the AWS
    /// SDK's default chains (environment variables, shared config and credentials files, the instance role). There is
    /// deliberately no credential property: use a profile or the default chain.
    /// </summary>
    public class EbsConnectionOptions
    {
        /// <summary>-Region: the AWS region system name, for example eu-west-1.</summary>
        public string Region { get; set; }

        /// <summary>-ProfileName: a profile in the shared credentials/config files (or the SDK store).</summary>
        public string ProfileName { get; set; }

        /// <summary>-EndpointUrl: a custom EC2 endpoint, for example a VPC endpoint or a test endpoint.</summary>
        public string EndpointUrl { get; set; }
    }
}

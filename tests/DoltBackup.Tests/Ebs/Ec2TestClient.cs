using Amazon.Runtime;
using DoltBackup.Ebs;
using DoltBackup.Ebs.AwsSdk;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>The real AWS SDK implementation pointed at a <see cref="FakeEc2Endpoint"/> with fake static credentials.</summary>
    internal static class Ec2TestClient
    {
        public const string AccessKey = "AKIAFAKEFAKEFAKE0000";
        public const string SecretKey = "fake-secret-key-never-sent-0123456789abcd";

        public static IEc2Api Create(FakeEc2Endpoint endpoint, string region = "us-east-1")
            => new AwsSdkEc2Api(new EbsConnectionOptions { Region = region, EndpointUrl = endpoint.Url },
                new BasicAWSCredentials(AccessKey, SecretKey),
                config =>
                {
                    config.MaxErrorRetry = 3;
                    config.Timeout = System.TimeSpan.FromSeconds(20);
                });
    }
}

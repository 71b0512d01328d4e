using System;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using DoltBackup.Ebs;
using DoltBackup.Ebs.AwsSdk;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>
    /// The real AWS SDK implementation pointed at a <see cref="FakeEc2Endpoint"/> with fake static credentials. The
    /// SDK's standard retry policy decides what is retried and how often; only its back-off wait is cut to 10 ms.
    /// </summary>
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
                    config.Timeout = TimeSpan.FromSeconds(20);
                },
                (credentials, config) => new ShortBackoffEc2Client(credentials, config));

        private sealed class ShortBackoffEc2Client : AmazonEC2Client
        {
            public ShortBackoffEc2Client(AWSCredentials credentials, AmazonEC2Config config) : base(credentials, config)
            {
            }

            protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
            {
                base.CustomizeRuntimePipeline(pipeline);
                pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(new ShortBackoffRetryPolicy(Config)));
            }
        }

        private sealed class ShortBackoffRetryPolicy : StandardRetryPolicy
        {
            public ShortBackoffRetryPolicy(IClientConfig config) : base(config)
            {
            }

            public override void WaitBeforeRetry(IExecutionContext executionContext) => System.Threading.Thread.Sleep(10);

            public override Task WaitBeforeRetryAsync(IExecutionContext executionContext) => Task.Delay(10);
        }
    }
}

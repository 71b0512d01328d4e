using System.Runtime.CompilerServices;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Makes the AWS SDK implementation of <see cref="IEc2Api"/>. This is the only way into AWSSDK.*: it first
    /// registers <see cref="AwsSdkAssemblyResolver"/> (reuse an AWSSDK already loaded by AWS.Tools, else load the copy
    /// beside DoltBackup.dll), and only then runs code that names AWS types, so importing the module never loads them.
    /// </summary>
    public static class Ec2ApiFactory
    {
        /// <summary>An EC2 client for the options (region, profile, endpoint; else the SDK's default chains).</summary>
        public static IEc2Api Create(EbsConnectionOptions options)
        {
            AwsSdkAssemblyResolver.EnsureUsable();
            return CreateSdkApi(options ?? new EbsConnectionOptions());
        }

        // Kept apart and never inlined: JIT-compiling this method is what loads AWSSDK.EC2 and AWSSDK.Core.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IEc2Api CreateSdkApi(EbsConnectionOptions options) => new AwsSdk.AwsSdkEc2Api(options);
    }
}

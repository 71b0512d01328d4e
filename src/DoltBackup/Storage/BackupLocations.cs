using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace DoltBackup.Storage
{
    /// <summary>
    /// Opens the driver for a backup location. The object-store drivers (AWSSDK.S3, Azure.Storage.Blobs,
    /// Azure.Identity) are created in methods of their own, so their assemblies load on first use only, never at import.
    /// </summary>
    public static class BackupLocations
    {
        /// <summary>Parses <paramref name="pathOrUrl"/> and opens its driver (see <see cref="StorageLocation.Parse"/>).</summary>
        public static IBackupLocation Open(string pathOrUrl, StorageContext context, string currentDirectory = null)
            => Open(StorageLocation.Parse(pathOrUrl, currentDirectory), context);

        /// <summary>Opens the driver of a parsed location. No request is sent yet.</summary>
        public static IBackupLocation Open(StorageLocation location, StorageContext context)
        {
            switch (location.Kind)
            {
                case StorageKind.Local:
                    return new LocalFolderLocation(location.LocalPath);
                case StorageKind.S3:
                    Ebs.AwsSdkAssemblyResolver.EnsureUsable();
                    return OpenS3(location, context ?? new StorageContext());
                case StorageKind.AzureBlob:
                    Common.ModuleAssemblyResolver.Register();
                    return OpenAzure(location, context ?? new StorageContext());
                default:
                    throw new StorageException("StorageUnknownScheme", ErrorCategory.InvalidArgument, location.DisplayName,
                        $"'{location.DisplayName}' cannot be opened here.", "Give a folder path, s3://bucket/prefix or az://account/container/prefix.");
            }
        }

        // Kept apart and never inlined: JIT-compiling these is what loads the SDK assemblies.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IBackupLocation OpenS3(StorageLocation location, StorageContext context) => new S3.S3BackupLocation(location, context);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IBackupLocation OpenAzure(StorageLocation location, StorageContext context) => new Azure.AzureBlobBackupLocation(location, context);
    }
}

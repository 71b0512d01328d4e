using System.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// The checks of tests/pester/Storage.Tests.ps1 "Off-host faults and URL forms", run here with the same cmdlet
    /// calls (Pester cannot run on this machine; the hosted engine has no Join-Path/New-Item/ConvertTo-Json, so the
    /// files are made with .NET): each script returns 'ok' or says which check failed.
    /// </summary>
    public class OffHostFaultMirrorTests
    {
        private static void AssertOk(string script, TempDir dir = null)
        {
            using var own = dir == null ? new TempDir() : null;
            dir ??= own;
            using var host = new PowerShellHost();
            var r = host.Run("$TestDrive = $args[0]; $secret = 'Sup3rSecretKeyValue-xyz'; " + script, dir.Path);
            Assert.True(r.Terminating == null, r.AllText());
            Assert.True(r.Output.Last().ToString() == "ok", r.Output.Last().ToString());
        }

        [Fact]
        public void An_https_blob_destination_is_staged_so_Path_is_refused()
        {
            AssertOk(@"
                $dir = [System.IO.Path]::Combine($TestDrive, 'path-with-https-blob')
                $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($dir, 'data'))
                $id = try { New-DoltBackup -DataDir ([System.IO.Path]::Combine($dir, 'data')) -Destination 'https://acct1.blob.core.windows.net/backups/prod' -Path ([System.IO.Path]::Combine($dir, 'm')) -ErrorAction Stop; 'nothing thrown' } catch { $_.FullyQualifiedErrorId }
                if ($id -ne 'DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand') { return ""id: $id"" }
                if ([System.IO.Directory]::Exists([System.IO.Path]::Combine($dir, 'm'))) { return 'folder made' }
                'ok'");
        }

        [Fact]
        public void An_AzureBlobEndpoint_with_a_query_string_is_refused_without_repeating_it()
        {
            AssertOk(@"
                $id = try { New-DoltBackupStorageContext -AzureBlobEndpoint 'http://127.0.0.1:1/acct1?sig=TopSecretSig' -ErrorAction Stop; 'nothing thrown' } catch { $_.FullyQualifiedErrorId }
                if ($id -ne 'DoltBackup.InvalidStorageContext,DoltBackup.Cmdlets.NewDoltBackupStorageContextCommand') { return ""id: $id"" }
                $text = try { New-DoltBackupStorageContext -AzureBlobEndpoint 'http://127.0.0.1:1/acct1?sig=TopSecretSig' -ErrorAction Stop } catch { ($_ | Out-String) + $_.Exception.Message }
                if ($text -match 'TopSecretSig') { return 'secret shown' }
                'ok'");
        }

        [Fact]
        public void A_CopyTo_that_cannot_reach_its_endpoint_is_recorded_in_the_local_manifest_never_Completed()
        {
            using var dir = new TempDir();
            string folder = System.IO.Path.Combine(dir.Path, "copyto-down", "20260101T000000Z-n");
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(folder, "data"));
            System.IO.File.WriteAllText(System.IO.Path.Combine(folder, "data", "a.tar"), "abc");
            string sha = System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("abc"))).ToLowerInvariant();
            System.IO.File.WriteAllText(System.IO.Path.Combine(folder, "manifest.json"), "{ \"schemaVersion\": 1, \"id\": \"20260101T000000Z-n\", \"name\": \"n\", \"method\": \"FileCopy\", \"status\": \"Completed\", " +
                "\"createdUtc\": \"2026-01-01T00:00:00Z\", \"artifacts\": [ { \"kind\": \"DataArchive\", \"storedPath\": \"data/a.tar\", \"size\": 3, \"sha256\": \"" + sha + "\", \"status\": \"Completed\" } ] }");
            AssertOk(@"
                $folder = [System.IO.Path]::Combine($TestDrive, 'copyto-down', '20260101T000000Z-n')
                $key = [securestring]::new(); foreach ($ch in 'Sup3rSecretKeyValue-xyz'.ToCharArray()) { $key.AppendChar($ch) }
                $cred = [pscredential]::new('AKIAEXAMPLE', $key)
                $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:1' -S3Region 'us-east-1' -S3Credential $cred
                $err = $null
                $out = Sync-DoltBackup -Path $folder -CopyTo 's3://bucket-x/prod' -StorageContext $ctx -ErrorVariable err -ErrorAction SilentlyContinue
                if ($err.Count -ne 1) { return ""errors: $($err.Count) $($err | Out-String)"" }
                if ($err[0].FullyQualifiedErrorId -ne 'DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.SyncDoltBackupCommand') { return ""id: $($err[0].FullyQualifiedErrorId) $($err[0].Exception.Message)"" }
                if ($err[0].ErrorDetails.RecommendedAction -notmatch 'Sync-DoltBackup') { return 'no action' }
                if ($out.Status -eq [DoltBackup.Manifest.BackupStatus]::Completed) { return 'emitted Completed' }
                $local = Get-DoltBackup $folder
                if ($local.Status -eq [DoltBackup.Manifest.BackupStatus]::Completed) { return 'local Completed' }
                if (@($local.Errors | Where-Object ErrorId -eq 'DoltBackup.UploadFailed').Count -ne 1) { return 'no UploadFailed entry' }
                if ((($err | Out-String) + $err[0].Exception.Message + [DoltBackup.Manifest.ManifestStore]::ToJson($out)) -match [regex]::Escape($secret)) { return 'secret shown' }
                'ok'", dir);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Tests.Encryption;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Issue 12: Test-DoltBackup on a staged set in an object store (New-DoltBackup -Destination s3://|az://) verifies
    /// each database's Dolt store by streaming its objects (nothing downloaded to disk), with the verdicts the same store
    /// gets when it is downloaded into a folder and checked there. Through the hosted PowerShell engine against Azurite
    /// and s3rver, the fake Dolt engine writing real NBS table files into the staging stores.
    /// </summary>
    public class StreamedStagedStoreVerificationTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        public static IEnumerable<object[]> Emulators() => BackupLocationContractTests.Emulators();

        private static List<VerificationResult> Results(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();

        private static PowerShellResult TestStreamed(StagedDestinationTests.Bed bed, string url, StorageContext context, string extra = "", object key = null)
        {
            var r = bed.Shell.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1] -Verbose " + extra, url, context, key);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.Contains(r.Verbose, v => v.Contains("by streaming its objects"));
            Assert.DoesNotContain(r.Progress, p => p.Activity.StartsWith("Downloading ", StringComparison.Ordinal) || (p.StatusDescription ?? "").StartsWith("Downloading", StringComparison.Ordinal));
            return r;
        }

        /// <summary>The store's objects downloaded into a folder and checked there: what a local check of the same store says.</summary>
        private static List<VerificationResult> CheckedAsFolder(StagedDestinationTests.Bed bed, string url, StorageContext context, string store, bool deep, string sharedUrl = null)
        {
            string folder = bed.Dir.Combine("as-folder-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(folder);
            using (var location = BackupLocations.Open(url, context))
            {
                foreach (var o in location.List(store + "/", None))
                {
                    Download(location, o.Key, Path.Combine(folder, o.Key.Substring(store.Length + 1).Replace('/', Path.DirectorySeparatorChar)));
                }
            }
            if (sharedUrl != null)
            {
                using var shared = BackupLocations.Open(sharedUrl, context);
                foreach (var gen in new[] { folder, Path.Combine(folder, "oldgen") }.Where(g => File.Exists(Path.Combine(g, "manifest"))))
                {
                    foreach (var t in NbsManifest.Read(Path.Combine(gen, "manifest")).Tables)
                    {
                        if (shared.Stat(".stores/" + store + "/" + t.Name, None) != null)
                        {
                            Download(shared, ".stores/" + store + "/" + t.Name, Path.Combine(gen, t.Name));
                        }
                    }
                }
            }
            return NbsStoreVerifier.Verify(folder, store, new VerificationOptions { Deep = deep });
        }

        private static void Download(IBackupLocation location, string key, string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            using var source = location.OpenRead(key, None);
            using var file = File.Create(path);
            source.CopyTo(file);
        }

        private static string[] Verdicts(IEnumerable<VerificationResult> results, string target)
            => results.Where(x => x.Target == target || x.Target == target + " (oldgen)").Select(x => x.Target + " " + x.Check + " " + x.Status).ToArray();

        private static void Rewrite(string url, StorageContext context, string key, Func<byte[], byte[]> change)
        {
            using var location = BackupLocations.Open(url, context);
            byte[] bytes;
            using (var stream = location.OpenRead(key, None))
            using (var buffer = new MemoryStream())
            {
                stream.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            location.Put(key, new MemoryStream(change(bytes)), None);
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void A_staged_set_is_verified_by_streaming_with_the_verdicts_of_its_stores_checked_as_folders(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var backup = bed.Backup(url, context);
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            Directory.Delete(bed.Staging, recursive: true);
            var sales = bed.Engine.Databases["sales"].TableFiles;

            // Intact: every check passes; the stores' checks are those of the same stores downloaded into folders.
            foreach (bool deep in new[] { false, true })
            {
                var intact = Results(TestStreamed(bed, url, context, deep ? "-Deep" : ""));
                Assert.DoesNotContain(intact, x => x.Status == VerificationStatus.Failed);
                Assert.Contains(intact, x => x.Target == "sales" && x.Check == "Manifest.Parse" && x.Passed && x.Path.StartsWith(url, StringComparison.Ordinal));
                if (deep)
                {
                    Assert.Contains(intact, x => x.Target == "sales" && x.Check == "TableFile.Chunks" && x.Passed);
                }
                using var fetched = DoltBackup.Storage.Sets.StagedBackupSet.Fetch(url, context, null, None);
                var local = BackupVerifier.VerifyManifest(fetched.Manifest, new VerificationOptions { Deep = deep });
                foreach (var db in new[] { "sales", "inventory" })
                {
                    Assert.Equal(Verdicts(CheckedAsFolder(bed, url, context, db, deep), db), Verdicts(intact, db));
                    Assert.Equal(Verdicts(local, db), Verdicts(intact, db));
                }
            }

            // A flipped byte in a table file's footer: failed, the object named, as a folder check says.
            string table = "sales/" + sales[0].Name;
            Rewrite(url, context, table, b => { b[b.Length - 1] ^= 0x01; return b; });
            var flipped = Results(TestStreamed(bed, url, context));
            Assert.Contains(flipped, x => x.Target == "sales" && x.Status == VerificationStatus.Failed && x.Path == url + "/" + table);
            Assert.Equal(Verdicts(CheckedAsFolder(bed, url, context, "sales", false), "sales"), Verdicts(flipped, "sales"));
            Rewrite(url, context, table, b => { b[b.Length - 1] ^= 0x01; return b; });

            // A flipped byte in a chunk: only -Deep sees it, as on a folder.
            Rewrite(url, context, table, b => { b[100] ^= 0x01; return b; });
            var chunk = Results(TestStreamed(bed, url, context, "-Deep"));
            Assert.Contains(chunk, x => x.Target == "sales" && x.Check == "TableFile.Chunks" && x.Status == VerificationStatus.Failed && x.Path == url + "/" + table);
            Assert.Equal(Verdicts(CheckedAsFolder(bed, url, context, "sales", true), "sales"), Verdicts(chunk, "sales"));
            Rewrite(url, context, table, b => { b[100] ^= 0x01; return b; });

            // A store manifest naming a file the set does not have.
            string ghost = new string('c', 32);
            Rewrite(url, context, "inventory/manifest", b => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(b).TrimEnd('\n') + ":" + ghost + ":7"));
            var named = Results(TestStreamed(bed, url, context));
            var present = Assert.Single(named, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(("inventory", "Store.FilePresent"), (present.Target, present.Check));
            Assert.Contains(ghost, present.Message);
            Assert.Equal(url + "/inventory/" + ghost, present.Path);
            Assert.Equal(Verdicts(CheckedAsFolder(bed, url, context, "inventory", false), "inventory"), Verdicts(named, "inventory"));

            // A missing table file object.
            using (var location = BackupLocations.Open(url, context))
            {
                location.Delete(table, None);
            }
            var missing = Results(TestStreamed(bed, url, context));
            Assert.Contains(missing, x => x.Target == "sales" && x.Check == "Store.FilePresent" && x.Status == VerificationStatus.Failed && x.Message.Contains(sales[0].Name));
            Assert.Equal(Verdicts(CheckedAsFolder(bed, url, context, "sales", false), "sales"), Verdicts(missing, "sales"));
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void A_versioned_set_finds_its_table_files_in_the_shared_stores_folder(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var r = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -Versioned | Sync-DoltBackup -SkipConfiguration",
                bed.DataDir, url, bed.Staging, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.True(m.Destination.SharedStores);
            Directory.Delete(bed.Staging, recursive: true);
            string setUrl = m.Destination.ObjectStoreUrl;

            var intact = Results(TestStreamed(bed, setUrl, context, "-Deep"));
            Assert.DoesNotContain(intact, x => x.Status == VerificationStatus.Failed);
            Assert.Contains(intact, x => x.Target == "sales" && x.Check == "TableFile.Chunks" && x.Passed && x.Path.StartsWith(url + "/.stores/sales/", StringComparison.Ordinal));
            Assert.Equal(Verdicts(CheckedAsFolder(bed, setUrl, context, "sales", true, url), "sales"), Verdicts(intact, "sales"));

            // Piped from Get-DoltBackup on the backup root: the same streamed checks.
            var piped = bed.Shell.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1] -Verbose", url, context);
            Assert.True(piped.Errors.Count == 0 && piped.Terminating == null, piped.AllText());
            Assert.Contains(piped.Verbose, v => v.Contains("by streaming its objects"));
            Assert.DoesNotContain(piped.Progress, p => p.Activity.StartsWith("Downloading ", StringComparison.Ordinal));
            Assert.DoesNotContain(Results(piped), x => x.Status == VerificationStatus.Failed);
            Assert.Contains(Results(piped), x => x.Target == "sales" && x.Check == "Manifest.Parse" && x.Passed);

            string shared = ".stores/sales/" + bed.Engine.Databases["sales"].TableFiles[0].Name;
            using (var root = BackupLocations.Open(url, context))
            {
                root.Delete(shared, None);
            }
            var missing = Results(TestStreamed(bed, setUrl, context));
            Assert.Contains(missing, x => x.Target == "sales" && x.Check == "Store.FilePresent" && x.Status == VerificationStatus.Failed && x.Message.Contains(bed.Engine.Databases["sales"].TableFiles[0].Name));
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void An_encrypted_staged_set_is_streamed_decrypted_with_the_key_and_by_its_ciphertext_without(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var cert = TestKeys.NewCertificate("ops");
            var backup = bed.Shell.Run(
                "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -EncryptionCertificate $args[4] | Sync-DoltBackup -SkipConfiguration",
                bed.DataDir, url, bed.Staging, context, TestKeys.PublicOnly(cert));
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            Directory.Delete(bed.Staging, recursive: true);
            string tableName = bed.Engine.Databases["sales"].TableFiles[0].Name;

            var withKey = Results(TestStreamed(bed, url, context, "-Deep -DecryptionCertificate $args[2]", cert));
            Assert.DoesNotContain(withKey, x => x.Status == VerificationStatus.Failed);
            Assert.Contains(withKey, x => x.Target == "sales" && x.Check == "TableFile.Chunks" && x.Passed && x.Path == url + "/sales/" + tableName + ".p7m");
            using (var fetched = DoltBackup.Storage.Sets.StagedBackupSet.Fetch(url, context, new[] { cert }, null, null, None))
            {
                var local = BackupVerifier.VerifyManifest(fetched.Manifest, new VerificationOptions { Deep = true });
                Assert.Equal(Verdicts(local, "sales"), Verdicts(withKey, "sales"));
                Assert.Equal(Verdicts(local, "inventory"), Verdicts(withKey, "inventory"));
            }
            var withoutKey = Results(TestStreamed(bed, url, context));
            Assert.DoesNotContain(withoutKey, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(2, withoutKey.Count(x => x.Check == "Store.Structure" && x.Status == VerificationStatus.Skipped && x.Message.Contains("matched their recorded ciphertext SHA-256")));
            Assert.Contains(withoutKey, x => x.Target == "sales" && x.Check == "Store.Structure" && x.Path == url + "/sales");

            // One flipped byte of a store object: named with the key (it does not decrypt) and without (its SHA-256).
            string key = "sales/" + tableName + ".p7m";
            Rewrite(url, context, key, b => { b[b.Length / 2] ^= 0x40; return b; });
            var damagedWithKey = Results(TestStreamed(bed, url, context, "-DecryptionCertificate $args[2]", cert));
            var failed = Assert.Single(damagedWithKey, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(("sales", "Store.FileReadable", url + "/" + key), (failed.Target, failed.Check, failed.Path));
            var damagedWithoutKey = Results(TestStreamed(bed, url, context));
            failed = Assert.Single(damagedWithoutKey, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(("sales", "Store.FileSha256", url + "/" + key), (failed.Target, failed.Check, failed.Path));
            Assert.Contains(damagedWithoutKey, x => x.Target == "sales" && x.Check == "Store.Structure" && x.Status == VerificationStatus.Skipped && x.Message.Contains("1 of its"));

            // A missing store object.
            using (var location = BackupLocations.Open(url, context))
            {
                location.Delete(key, None);
            }
            var gone = Results(TestStreamed(bed, url, context, "-DecryptionCertificate $args[2]", cert));
            failed = Assert.Single(gone, x => x.Status == VerificationStatus.Failed);
            Assert.Equal(("sales", "Store.FilePresent"), (failed.Target, failed.Check));
            Assert.Contains(tableName, failed.Message);
        }
    }
}

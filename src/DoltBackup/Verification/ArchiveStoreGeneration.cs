using System;
using System.Collections.Generic;
using System.IO;

namespace DoltBackup.Verification
{
    /// <summary>One store generation inside an archive: what its entries were, and the held results of their checks.</summary>
    internal sealed class ArchiveStoreGeneration : StoreGeneration
    {
        private readonly ArchiveStoreGeneration _newgen;

        public ArchiveStoreGeneration(string dir, string target, ArchiveStoreGeneration newgen)
        {
            Dir = dir;
            Target = target;
            _newgen = newgen;
        }

        public string Target { get; }
        public HashSet<string> Files { get; } = new HashSet<string>(StringComparer.Ordinal);
        public Dictionary<string, StoreCheckContext> Checked { get; } = new Dictionary<string, StoreCheckContext>(StringComparer.Ordinal);
        public bool HasManifestEntry { get; set; }
        public string ManifestText { get; set; }
        public NbsManifest Manifest { get; set; }
        public IOException ManifestError { get; set; }
        public ArchiveStoreGeneration OldgenGeneration { get; set; }

        public override string Dir { get; }
        public override string PathOf(string name) => Dir + "/" + name;
        public override bool HasManifest => HasManifestEntry;

        public override string ReadManifestText()
        {
            if (ManifestError != null)
            {
                throw ManifestError;
            }
            return ManifestText;
        }

        public override bool Exists(string name) => Files.Contains(name);
        public override IEnumerable<string> FileNames() => Files;
        public override StoreGeneration Oldgen => _newgen == null ? OldgenGeneration : null;

        public override void CheckJournal(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx) => Release(spec.Name, spec, manifest, ctx);
        public override void CheckTable(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx) => Release(spec.Name, spec, manifest, ctx);
        public override void CheckArchive(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx) => Release(spec.Name + ".darc", spec, manifest, ctx);

        private void Release(string fileName, NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
        {
            if (Checked.TryGetValue(fileName, out var held))
            {
                held.Release(spec, manifest, ctx.Emit);
            }
            else
            {
                ctx.Skipped("Store.FileReadable", $"{fileName} was not checked while the archive was read.", PathOf(fileName));
            }
        }
    }
}

using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace DoltBackup.Verification
{
    /// <summary>A store generation in a folder: each file is opened and checked when the manifest names it.</summary>
    internal sealed class FolderStoreGeneration : StoreGeneration
    {
        private readonly bool _isOldgen;

        public FolderStoreGeneration(string dir, bool isOldgen = false)
        {
            Dir = dir;
            _isOldgen = isOldgen;
        }

        public override string Dir { get; }
        public override string PathOf(string name) => Path.Combine(Dir, name);
        public override bool HasManifest => File.Exists(PathOf("manifest"));
        public override string ReadManifestText() => File.ReadAllText(PathOf("manifest"));
        public override bool Exists(string name) => File.Exists(PathOf(name));
        public override IEnumerable<string> FileNames() => Directory.GetFiles(Dir).Select(Path.GetFileName);

        public override StoreGeneration Oldgen
            => !_isOldgen && Directory.Exists(PathOf("oldgen")) ? new FolderStoreGeneration(PathOf("oldgen"), isOldgen: true) : null;

        public override void CheckJournal(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => JournalChecker.Check(PathOf(spec.Name), spec, manifest, ctx);

        public override void CheckTable(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => TableFileChecker.Check(PathOf(spec.Name), spec, ctx);

        public override void CheckArchive(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
            => ArchiveChecker.Check(PathOf(spec.Name + ".darc"), spec, ctx);
    }
}

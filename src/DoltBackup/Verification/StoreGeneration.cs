using System.Collections.Generic;

namespace DoltBackup.Verification
{
    /// <summary>
    /// One generation of an NBS store (the files beside one <c>manifest</c>), wherever they are: a folder, or the
    /// entries of an archive that was read once (their checks already ran and wait for the manifest).
    /// </summary>
    internal abstract class StoreGeneration
    {
        /// <summary>Where the generation is, for messages.</summary>
        public abstract string Dir { get; }
        /// <summary>The path shown for one of its files.</summary>
        public abstract string PathOf(string name);
        /// <summary>True when the generation has a manifest file.</summary>
        public abstract bool HasManifest { get; }
        /// <summary>The manifest's text (may throw IOException).</summary>
        public abstract string ReadManifestText();
        /// <summary>True when a file of that name is in the generation.</summary>
        public abstract bool Exists(string name);
        /// <summary>The names of its files (not folders).</summary>
        public abstract IEnumerable<string> FileNames();
        /// <summary>The oldgen generation of a newgen store, when there is an oldgen folder.</summary>
        public abstract StoreGeneration Oldgen { get; }
        public abstract void CheckJournal(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx);
        public abstract void CheckTable(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx);
        public abstract void CheckArchive(NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx);
    }
}

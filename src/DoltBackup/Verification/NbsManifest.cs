using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace DoltBackup.Verification
{
    /// <summary>
    /// The NBS <c>manifest</c> text file (dolt-reference §6):
    /// <c>5:&lt;nbf&gt;:&lt;lock&gt;:&lt;root&gt;:&lt;gcgen&gt;[:&lt;name&gt;:&lt;count&gt;]*</c>, or v4 without the gc generation.
    /// </summary>
    public sealed class NbsManifest
    {
        /// <summary>Storage version: "5" or "4".</summary>
        public string Version { get; private set; }
        /// <summary>Format version, normally __DOLT__.</summary>
        public string NbfVersion { get; private set; }
        /// <summary>The optimistic-lock hash.</summary>
        public string Lock { get; private set; }
        /// <summary>The root hash (all zeros in oldgen).</summary>
        public string Root { get; private set; }
        /// <summary>The GC generation (null for v4).</summary>
        public string GcGen { get; private set; }
        /// <summary>Referenced table files, archives (named without .darc) and the journal, with chunk counts.</summary>
        public List<NbsTableSpec> Tables { get; } = new List<NbsTableSpec>();

        /// <summary>Parses manifest text; throws <see cref="FormatException"/> with Dolt's reason when it is not one.</summary>
        public static NbsManifest Parse(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                throw new FormatException("the manifest is empty");
            }
            var fields = text.TrimEnd('\r', '\n').Split(':');
            var m = new NbsManifest { Version = fields[0] };
            int headerFields;
            if (m.Version == "5")
            {
                headerFields = 5;
            }
            else if (m.Version == "4")
            {
                headerFields = 4;
            }
            else
            {
                string shown = m.Version.Length > 8 ? m.Version.Substring(0, 8) : m.Version;
                throw new FormatException($"unknown manifest version '{shown}' (expected 5 or 4)");
            }
            if (fields.Length < headerFields || (fields.Length - headerFields) % 2 != 0)
            {
                throw new FormatException($"corrupt manifest: {fields.Length} fields");
            }
            m.NbfVersion = fields[1];
            m.Lock = fields[2];
            m.Root = fields[3];
            m.GcGen = headerFields == 5 ? fields[4] : null;
            foreach (var (name, what) in new[] { (m.Lock, "lock"), (m.Root, "root"), (m.GcGen ?? DoltHash.Empty, "gc generation") })
            {
                if (!DoltHash.IsValid(name))
                {
                    throw new FormatException($"corrupt manifest: the {what} hash '{name}' is not a Dolt hash");
                }
            }
            for (int i = headerFields; i < fields.Length; i += 2)
            {
                if (!DoltHash.IsValid(fields[i]))
                {
                    throw new FormatException($"corrupt manifest: table name '{fields[i]}' is not a Dolt hash");
                }
                if (!uint.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out uint count))
                {
                    throw new FormatException($"corrupt manifest: chunk count '{fields[i + 1]}' of {fields[i]} is not a number");
                }
                m.Tables.Add(new NbsTableSpec(fields[i], count));
            }
            return m;
        }

        /// <summary>Reads and parses a manifest file.</summary>
        public static NbsManifest Read(string path) => Parse(File.ReadAllText(path));
    }

    /// <summary>A table file, archive or journal named in a manifest.</summary>
    public sealed class NbsTableSpec
    {
        /// <summary>Creates a spec.</summary>
        public NbsTableSpec(string name, uint chunkCount)
        {
            Name = name;
            ChunkCount = chunkCount;
        }

        /// <summary>The 32-character name (an archive's without .darc).</summary>
        public string Name { get; }
        /// <summary>The number of chunks the manifest records.</summary>
        public uint ChunkCount { get; }
        /// <summary>True for the chunk journal.</summary>
        public bool IsJournal => Name == DoltHash.JournalFileName;
        /// <inheritdoc />
        public override string ToString() => Name + ":" + ChunkCount.ToString(CultureInfo.InvariantCulture);
    }
}

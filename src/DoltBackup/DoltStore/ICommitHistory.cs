using System.Collections.Generic;

namespace DoltBackup.DoltStore
{
    /// <summary>A database's refs and commits, read commit by commit (a Dolt store read offline, or a model of one in tests).</summary>
    public interface ICommitHistory
    {
        /// <summary>Branch name → head commit, sorted by name.</summary>
        SortedDictionary<string, string> Branches { get; }

        /// <summary>Tag name → the commit it names, sorted by name.</summary>
        SortedDictionary<string, string> Tags { get; }

        /// <summary>One commit (read once, then kept); throws <see cref="DoltStoreFormatException"/> when it cannot be read.</summary>
        StoreCommit Commit(string hash);
    }
}

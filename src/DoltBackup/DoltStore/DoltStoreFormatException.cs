using System;

namespace DoltBackup.DoltStore
{
    /// <summary>A Dolt store (or one of its chunks) this reader cannot read: an unknown format, a missing or damaged chunk.</summary>
    public sealed class DoltStoreFormatException : Exception
    {
        /// <summary>Creates the exception with the reason.</summary>
        public DoltStoreFormatException(string message) : base(message)
        {
        }
    }
}

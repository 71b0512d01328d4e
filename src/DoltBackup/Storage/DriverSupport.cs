using System;
using System.IO;
using System.Net;
using System.Threading.Tasks;

namespace DoltBackup.Storage
{
    /// <summary>What the object-store drivers share: reading a part of a stream, and turning SDK failures into text.</summary>
    internal static class DriverSupport
    {
        /// <summary>
        /// The size of part or block <paramref name="number"/> (from 1) of an upload of unknown length:
        /// <paramref name="firstBytes"/>, doubled after each <paramref name="perStep"/> of them, up to 1.5 GiB (one buffer
        /// in memory), so a service's part-count limit is never what stops a large stream.
        /// </summary>
        public static int GrowingChunkSize(int number, int firstBytes, int perStep)
        {
            int steps = Math.Min(30, (number - 1) / Math.Max(1, perStep));
            return (int)Math.Min(Math.Max(firstBytes, 3L << 29), (long)firstBytes << steps);
        }

        /// <summary>
        /// The refusal of an upload of unknown length that would need more than <paramref name="maxParts"/>
        /// <paramref name="parts"/> ("parts", "blocks"): the object is over <paramref name="largest"/>; nothing was stored.
        /// </summary>
        public static StorageException TooManyParts(string target, int maxParts, string parts, string largest)
            => new StorageException("StorageObjectTooLarge", System.Management.Automation.ErrorCategory.LimitsExceeded, target,
                $"'{target}' would need more than {maxParts} {parts}: it is over {largest}; nothing was stored.",
                "Back up with Sync-DoltBackup -Format Tree (one object per file) or split the data directory; running again cannot help.");

        /// <summary>Reads up to <paramref name="count"/> bytes (fewer only at the end of the stream).</summary>
        public static byte[] ReadUpTo(Stream stream, int count)
        {
            var buffer = new byte[count];
            int filled = Fill(stream, buffer, 0);
            if (filled == count)
            {
                return buffer;
            }
            var exact = new byte[filled];
            Buffer.BlockCopy(buffer, 0, exact, 0, filled);
            return exact;
        }

        /// <summary>Fills <paramref name="buffer"/> from the stream after its first <paramref name="filled"/> bytes; fewer only at the stream's end. Answers the bytes now in it.</summary>
        public static int Fill(Stream stream, byte[] buffer, int filled)
        {
            int n;
            while (filled < buffer.Length && (n = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
            {
                filled += n;
            }
            return filled;
        }

        /// <summary>True when the failure is the network's (connection refused, reset, timeout), not the service's answer.</summary>
        public static bool IsUnreachable(Exception e)
        {
            for (var x = e; x != null; x = x.InnerException)
            {
                if (x is System.Net.Http.HttpRequestException || x is System.Net.Sockets.SocketException || x is TimeoutException || x is IOException || x is TaskCanceledException || x is WebException)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The innermost exception (the network's own words).</summary>
        public static Exception Innermost(Exception e)
        {
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }
            return e;
        }

        /// <summary>The first line of a message, without a final period.</summary>
        public static string FirstLine(string text)
        {
            text = text ?? "";
            int nl = text.IndexOfAny(new[] { '\r', '\n' });
            return (nl < 0 ? text : text.Substring(0, nl)).TrimEnd('.');
        }
    }
}

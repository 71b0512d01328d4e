using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Puts what a run wrote (as &lt;name&gt;.partial) in place of what an earlier run left under the same names in a
    /// backup folder (-Force), so that a failure at any step leaves one of them whole: the earlier files and folders are
    /// first moved aside (&lt;name&gt;.replaced, a name no reader looks at), then the new ones moved in, then the earlier
    /// ones deleted. A move that fails puts back what was moved (the new ones to their .partial names, the earlier ones to
    /// theirs) and the error is rethrown.
    /// </summary>
    internal static class FolderReplace
    {
        /// <summary>The suffix of an earlier file or folder moved aside while it is replaced.</summary>
        public const string AsideSuffix = ".replaced";

        /// <summary>
        /// Moves each of <paramref name="moves"/> (From: a path this run wrote, To: its final path) into place, replacing
        /// the existing To paths and the existing paths of <paramref name="replaced"/> (what else an earlier archive of the
        /// name left: its single file or its parts). <paramref name="move"/> moves a file or folder (null: the file system's move).
        /// </summary>
        public static void Run(IReadOnlyList<(string From, string To)> moves, IEnumerable<string> replaced, Action<string, string> move = null)
        {
            move = move ?? Move;
            var names = replaced.Concat(moves.Select(m => m.To)).Distinct(StringComparer.Ordinal).ToList();
            var aside = new List<string>();
            var done = new List<(string From, string To)>();
            try
            {
                foreach (var path in names)
                {
                    if (!File.Exists(path) && !Directory.Exists(path))
                    {
                        continue;
                    }
                    FileCopyBackup.DeletePath(path + AsideSuffix); // left by a run that stopped before its clean-up
                    move(path, path + AsideSuffix);
                    aside.Add(path);
                }
                foreach (var m in moves)
                {
                    move(m.From, m.To);
                    done.Add(m);
                }
            }
            catch (Exception)
            {
                RollBack(done, aside, move);
                throw;
            }
            // The new files are in place: what was moved aside goes, and what a run stopped midway left aside under these names.
            foreach (var path in names)
            {
                try
                {
                    FileCopyBackup.DeletePath(path + AsideSuffix);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // The new archive is in place; what is left aside is removed by the next run of this name.
                }
            }
        }

        private static void RollBack(List<(string From, string To)> done, List<string> aside, Action<string, string> move)
        {
            for (int i = done.Count - 1; i >= 0; i--)
            {
                TryMove(done[i].To, done[i].From, move);
            }
            for (int i = aside.Count - 1; i >= 0; i--)
            {
                TryMove(aside[i] + AsideSuffix, aside[i], move);
            }
        }

        private static void TryMove(string from, string to, Action<string, string> move)
        {
            try
            {
                move(from, to);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // The first failure is the one reported; what could not be put back keeps its .partial or .replaced name.
            }
        }

        private static void Move(string from, string to)
        {
            if (Directory.Exists(from))
            {
                Directory.Move(from, to);
            }
            else
            {
                File.Move(from, to);
            }
        }
    }
}

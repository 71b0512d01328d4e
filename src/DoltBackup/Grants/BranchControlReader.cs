using System;
using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Reads Dolt's branch control (dolt_branch_control, dolt_branch_namespace_control). The rows are server-wide, but
    /// Dolt exposes the two tables only inside a user database: with no current database it answers "no database
    /// selected", from mysql or information_schema "table not found" (dolt-transcripts, "Users, grants, branch
    /// control"). So the tables are always read qualified with a user database from SHOW DATABASES; a server without
    /// one cannot show them over SQL, which becomes one warning naming the file-level copy.
    /// </summary>
    public static class BranchControlReader
    {
        /// <summary>Databases that never hold Dolt's system tables: MySQL's schemas and Dolt's cluster database.</summary>
        private static readonly string[] NotUserDatabases = { "information_schema", "mysql", "performance_schema", "sys", "dolt_cluster" };

        /// <summary>The warning when the server has no user database to read branch control through.</summary>
        public const string NoDatabaseWarning =
            "Branch control (dolt_branch_control, dolt_branch_namespace_control) is not in the script: Dolt shows these tables only inside a database, and the server has no user database. " +
            "Its file-level copy, branch_control.db (in the server's .doltcfg), is captured by Backup-DoltConfiguration or Sync-DoltBackup -DataDir when no Dolt process uses the data directory.";

        /// <summary>True for a database that can hold Dolt's system tables (not information_schema, mysql, performance_schema, sys, dolt_cluster).</summary>
        public static bool IsUserDatabase(string name)
            => !string.IsNullOrEmpty(name) && !NotUserDatabases.Contains(name, StringComparer.OrdinalIgnoreCase);

        /// <summary>The user databases of SHOW DATABASES, sorted ordinally.</summary>
        public static List<string> UserDatabases(IGrantsQuerySession session)
            => session.Query("SHOW DATABASES").Select(r => r.Length > 0 ? r[0] : null).Where(IsUserDatabase).OrderBy(n => n, StringComparer.Ordinal).ToList();

        /// <summary>
        /// Reads both tables into <paramref name="snapshot"/> (and sets <see cref="GrantsSnapshot.HasBranchControl"/>),
        /// or adds one warning saying why they are not in the script. A lost connection is thrown, not swallowed.
        /// </summary>
        public static void Read(IGrantsQuerySession session, GrantsSnapshot snapshot)
        {
            string database = null;
            try
            {
                database = UserDatabases(session).FirstOrDefault();
                if (database == null)
                {
                    snapshot.Warnings.Add(NoDatabaseWarning);
                    return;
                }
                string q = SqlText.Identifier(database) + ".";
                var access = session.Query($"SELECT `database`, `branch`, `user`, `host`, CAST(`permissions` AS CHAR) FROM {q}dolt_branch_control")
                    .Select(r => new BranchControlRow(Cell(r, 0), Cell(r, 1), Cell(r, 2), Cell(r, 3), Cell(r, 4))).ToList();
                var ns = session.Query($"SELECT `database`, `branch`, `user`, `host` FROM {q}dolt_branch_namespace_control")
                    .Select(r => new BranchNamespaceRow(Cell(r, 0), Cell(r, 1), Cell(r, 2), Cell(r, 3))).ToList();
                snapshot.BranchControl.AddRange(access);
                snapshot.BranchNamespaceControl.AddRange(ns);
                snapshot.HasBranchControl = true;
            }
            catch (GrantsStatementException e) when (!e.ConnectionLost)
            {
                snapshot.Warnings.Add("Branch control (dolt_branch_control, dolt_branch_namespace_control) could not be read" +
                                      (database == null ? "" : $" through database '{database}'") + " and is not in the script: " + e.Message);
            }
        }

        private static string Cell(string[] row, int i) => i < row.Length ? row[i] ?? "" : "";
    }
}

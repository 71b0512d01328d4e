using System;

namespace DoltBackup.Grants
{
    /// <summary>A MySQL account name: user and host. A host of "" on a role means a MariaDB role (no host part).</summary>
    public sealed class AccountName : IEquatable<AccountName>, IComparable<AccountName>
    {
        /// <summary>Creates an account name.</summary>
        public AccountName(string user, string host)
        {
            User = user ?? "";
            Host = host ?? "";
        }

        /// <summary>The user part (case-sensitive).</summary>
        public string User { get; }

        /// <summary>The host part (may be a pattern such as % or 10.0.%; may be empty).</summary>
        public string Host { get; }

        /// <summary>The account as SQL string literals: <c>'u'@'h'</c>.</summary>
        public string ToSql() => SqlText.Literal(User) + "@" + SqlText.Literal(Host);

        /// <summary>The account as backtick identifiers: <c>`u`@`h`</c>.</summary>
        public string ToIdentifierSql() => SqlText.Identifier(User) + "@" + SqlText.Identifier(Host);

        /// <summary>Parses <c>user@host</c> as CURRENT_USER() returns it (split at the last '@').</summary>
        public static AccountName ParseCurrentUser(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            int at = text.LastIndexOf('@');
            return at < 0 ? new AccountName(text, "") : new AccountName(text.Substring(0, at), text.Substring(at + 1));
        }

        /// <summary>Ordinal order by user, then host.</summary>
        public int CompareTo(AccountName other)
        {
            if (other == null)
            {
                return 1;
            }
            int c = string.CompareOrdinal(User, other.User);
            return c != 0 ? c : string.CompareOrdinal(Host, other.Host);
        }

        /// <inheritdoc />
        public bool Equals(AccountName other) => other != null && string.Equals(User, other.User, StringComparison.Ordinal) && string.Equals(Host, other.Host, StringComparison.Ordinal);

        /// <inheritdoc />
        public override bool Equals(object obj) => Equals(obj as AccountName);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(User) * 31 + StringComparer.Ordinal.GetHashCode(Host);

        /// <summary>'user'@'host', for messages.</summary>
        public override string ToString() => "'" + User + "'@'" + Host + "'";
    }
}

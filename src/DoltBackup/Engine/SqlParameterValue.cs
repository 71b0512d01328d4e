namespace DoltBackup.Engine
{
    /// <summary>A named SQL parameter (sent as a real parameter, never spliced into the SQL text).</summary>
    public sealed class SqlParameterValue
    {
        /// <summary>Creates a parameter.</summary>
        public SqlParameterValue(string name, object value)
        {
            Name = name;
            Value = value;
        }

        /// <summary>The parameter name as written in the SQL, for example @name.</summary>
        public string Name { get; }

        /// <summary>The value.</summary>
        public object Value { get; }

        /// <inheritdoc />
        public override string ToString() => Name + "=" + Value;
    }
}

using System.Reflection;

namespace DoltBackup.Common
{
    /// <summary>Facts about this module.</summary>
    public static class ModuleInfo
    {
        /// <summary>The module version (major.minor.build), taken from the assembly.</summary>
        public static string Version { get; } = typeof(ModuleInfo).Assembly.GetName().Version.ToString(3);

        /// <summary>The module name.</summary>
        public const string Name = "DoltBackup";
    }
}

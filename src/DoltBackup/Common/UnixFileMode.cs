using System;
using System.IO;
using System.Reflection;

namespace DoltBackup.Common
{
    /// <summary>
    /// Unix file modes through the runtime's own File.GetUnixFileMode / SetUnixFileMode (.NET 7+, which every
    /// PowerShell on Linux and macOS runs on). This assembly targets netstandard2.0, which lacks them, so they are
    /// bound once by reflection.
    /// </summary>
    internal static class UnixFileMode
    {
        private static readonly MethodInfo GetMethod = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        private static readonly MethodInfo SetMethod = FindSet();

        private static MethodInfo FindSet()
        {
            foreach (var m in typeof(File).GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                var p = m.GetParameters();
                if (m.Name == "SetUnixFileMode" && p.Length == 2 && p[0].ParameterType == typeof(string))
                {
                    return m;
                }
            }
            return null;
        }

        /// <summary>The permission bits, or null when the runtime cannot tell.</summary>
        public static int? TryGet(string path)
        {
            if (GetMethod == null)
            {
                return null;
            }
            try
            {
                return Convert.ToInt32(GetMethod.Invoke(null, new object[] { path }));
            }
            catch (TargetInvocationException e) when (e.InnerException is IOException || e.InnerException is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>Sets the permission bits; false when the runtime has no API for it.</summary>
        public static bool TrySet(string path, int mode)
        {
            if (SetMethod == null)
            {
                return false;
            }
            var enumType = SetMethod.GetParameters()[1].ParameterType;
            try
            {
                SetMethod.Invoke(null, new[] { path, Enum.ToObject(enumType, mode) });
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                throw e.InnerException;
            }
            return true;
        }
    }
}

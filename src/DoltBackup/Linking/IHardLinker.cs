using System;
using System.Runtime.InteropServices;

namespace DoltBackup.Linking
{
    /// <summary>
    /// Makes hard links. netstandard2.0 has no API for them, so each platform gets a small P/Invoke implementation
    /// (<see cref="UnixHardLinker"/>, <see cref="WindowsHardLinker"/>); <see cref="HardLinks.ForThisPlatform"/> picks one.
    /// </summary>
    public interface IHardLinker
    {
        /// <summary>
        /// Creates <paramref name="linkPath"/> as a second name of the file <paramref name="existingPath"/>. Returns
        /// null on success, or why the link could not be made (another file system, no permission, a file system
        /// without hard links): the caller falls back to a copy.
        /// </summary>
        string TryLink(string existingPath, string linkPath);
    }

    /// <summary>The hard linker of the running platform.</summary>
    public static class HardLinks
    {
        /// <summary>CreateHardLinkW on Windows, link(2) elsewhere.</summary>
        public static IHardLinker ForThisPlatform()
            => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? (IHardLinker)new WindowsHardLinker() : new UnixHardLinker();
    }

    /// <summary>link(2) from libc (Linux, macOS).</summary>
    public sealed class UnixHardLinker : IHardLinker
    {
        [DllImport("libc", EntryPoint = "link", SetLastError = true)]
        private static extern int Link(string oldPath, string newPath);

        [DllImport("libc", EntryPoint = "strerror")]
        private static extern IntPtr StrError(int errno);

        /// <inheritdoc />
        public string TryLink(string existingPath, string linkPath)
        {
            try
            {
                if (Link(existingPath, linkPath) == 0)
                {
                    return null;
                }
                int errno = Marshal.GetLastWin32Error();
                return Describe(errno);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return "link(2) is not available: " + e.Message;
            }
        }

        private static string Describe(int errno)
        {
            string text = null;
            try
            {
                text = Marshal.PtrToStringAnsi(StrError(errno));
            }
            catch (EntryPointNotFoundException)
            {
            }
            return $"link(2) failed with errno {errno}" + (string.IsNullOrEmpty(text) ? "" : $" ({text})");
        }
    }

    /// <summary>CreateHardLinkW from kernel32 (NTFS and ReFS have hard links; FAT and most network shares do not).</summary>
    public sealed class WindowsHardLinker : IHardLinker
    {
        [DllImport("kernel32.dll", EntryPoint = "CreateHardLinkW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool CreateHardLink(string fileName, string existingFileName, IntPtr securityAttributes);

        /// <inheritdoc />
        public string TryLink(string existingPath, string linkPath)
        {
            if (CreateHardLink(linkPath, existingPath, IntPtr.Zero))
            {
                return null;
            }
            int error = Marshal.GetLastWin32Error();
            return $"CreateHardLinkW failed: {new System.ComponentModel.Win32Exception(error).Message} (error {error})";
        }
    }
}

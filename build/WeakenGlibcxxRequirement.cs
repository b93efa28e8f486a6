// Compiled by MSBuild (netstandard2.0 APIs only)'s RoslynCodeTaskFactory (see Directory.Build.targets); not part of any project.
//
// libLibTorchSharp.so (TorchSharp-cpu 0.107.0) declares a need for GLIBCXX_3.4.32 only for the symbol
// _ZSt21ios_base_library_initv, which it never calls. Debian 12's libstdc++ stops at 3.4.30, so the
// dynamic loader refuses the library. Marking that one vernaux entry VER_FLG_WEAK turns the hard
// failure into a tolerated missing version. We patch a private copy in the build output only, and
// only when the libstdc++ the loader would pick lacks the version.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxRequirement : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Files.Length == 0) return true;
        var libstdcxx = FindSystemLibStdCxx();
        if (libstdcxx is not null && ContainsVersionString(libstdcxx, Version))
        {
            Log.LogMessage(MessageImportance.Low, $"{libstdcxx} provides {Version}; nothing to patch.");
            return true;
        }
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                PatchFile(path);
            }
            catch (Exception e)
            {
                Log.LogError($"Could not weaken the {Version} requirement of {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private void PatchFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = FindVernauxFlagsOffset(bytes, Version);
        if (offset < 0) return;
        var flags = BitConverter.ToUInt16(bytes, offset);
        if ((flags & VerFlagWeak) != 0) return;
        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(bytes, offset);

        // Write a new file and move it over the old one: the output copy may be a hard link into the
        // NuGet cache, which must never change. Keep the timestamp so incremental builds do not recopy.
        var stamp = File.GetLastWriteTimeUtc(path);
        var temp = path + ".weak.tmp";
        File.WriteAllBytes(temp, bytes);
        File.SetLastWriteTimeUtc(temp, stamp);
        File.Delete(path);
        File.Move(temp, path);
        Log.LogMessage(MessageImportance.Normal, $"Marked {Version} weak in {path}.");
    }

    /// <summary>File offset of vna_flags of the vernaux entry naming <paramref name="version"/>, or -1.</summary>
    private static int FindVernauxFlagsOffset(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian 64-bit ELF file");

        var sectionTable = checked((int)BitConverter.ToUInt64(elf, 0x28));
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int count = BitConverter.ToUInt16(elf, 0x3C);
        for (var i = 0; i < count; i++)
        {
            var header = sectionTable + i * entrySize;
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed) continue;
            var sectionOffset = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            var link = BitConverter.ToUInt32(elf, header + 0x28);
            var needCount = BitConverter.ToUInt32(elf, header + 0x2C);
            var strings = checked((int)BitConverter.ToUInt64(elf, sectionTable + (int)link * entrySize + 0x18));

            var need = sectionOffset;
            for (var n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strings + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (name == version) return aux + 4;
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return -1;
    }

    private static string ReadCString(byte[] data, int start)
    {
        var end = Array.IndexOf(data, (byte)0, start);
        return Encoding.ASCII.GetString(data, start, end - start);
    }

    private static bool ContainsVersionString(string file, string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        var data = File.ReadAllBytes(file);
        for (var i = 0; i + needle.Length <= data.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && data[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would use: LD_LIBRARY_PATH first, then the ld.so cache.</summary>
    private static string FindSystemLibStdCxx()
    {
        var candidates = new List<string>();
        foreach (var dir in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
            candidates.Add(Path.Combine(dir, "libstdc++.so.6"));
        candidates.AddRange(FromLdconfigCache());
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        return null;
    }

    private static IEnumerable<string> FromLdconfigCache()
    {
        foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
        {
            if (!File.Exists(ldconfig)) continue;
            var psi = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(psi);
            if (process is null) continue;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            foreach (var line in output.Split('\n'))
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || !trimmed.Contains("x86-64") && !trimmed.Contains("AArch64")) continue;
                var arrow = trimmed.LastIndexOf("=> ", StringComparison.Ordinal);
                if (arrow >= 0) yield return trimmed.Substring(arrow + 3);
            }
            yield break;
        }
    }
}

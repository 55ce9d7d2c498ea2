using System.Runtime.InteropServices;

namespace SdNative.Interop;

/// <summary>Library-wide queries, and the ABI check every managed entry point relies on.</summary>
public static unsafe class SdnLibrary
{
    private static readonly Lazy<int> CheckedAbi = new(() =>
    {
        int version = NativeMethods.sdn_abi_version();
        EnsureAbiCompatible(version, NativeConstants.SDN_ABI_VERSION);
        return version;
    });

    /// <summary>Loads the library (once) and throws <see cref="AbiMismatchException"/> when its ABI differs.</summary>
    public static void EnsureLoaded() => _ = CheckedAbi.Value;

    /// <summary>Throws when the library's ABI version is not the one the bindings were generated for.</summary>
    public static void EnsureAbiCompatible(int libraryVersion, int expectedVersion)
    {
        if (libraryVersion != expectedVersion)
        {
            throw new AbiMismatchException(libraryVersion, expectedVersion);
        }
    }

    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Utf8(NativeMethods.sdn_version_string());
        }
    }

    public static long LiveObjectCount
    {
        get
        {
            EnsureLoaded();
            return NativeMethods.sdn_live_object_count();
        }
    }

    public static sdn_system_info_t SystemInfo()
    {
        EnsureLoaded();
        sdn_system_info_t info = default;
        var status = NativeMethods.sdn_system_info(&info);
        if (status != SdnStatus.Ok)
        {
            throw new InvalidOperationException($"sdn_system_info failed: {StatusName(status)}");
        }
        return info;
    }

    /// <summary>The GPU devices the library can compute on (vulkan:N is entry N).</summary>
    public static sdn_device_info_t[] Devices()
    {
        EnsureLoaded();
        var devices = new sdn_device_info_t[Math.Max(0, NativeMethods.sdn_device_count())];
        for (int i = 0; i < devices.Length; ++i)
        {
            sdn_device_info_t info = default;
            var status = NativeMethods.sdn_device_info(i, &info);
            if (status != SdnStatus.Ok)
            {
                throw new InvalidOperationException($"sdn_device_info({i}) failed: {StatusName(status)}");
            }
            devices[i] = info;
        }
        return devices;
    }

    public static string DeviceName(in sdn_device_info_t info)
    {
        fixed (byte* name = info.name)
        {
            return Utf8(name);
        }
    }

    public static string StatusName(SdnStatus status) => Utf8(NativeMethods.sdn_status_name((int)status));

    /// <summary>A NUL-terminated UTF-8 string owned by the library, copied.</summary>
    public static string Utf8(byte* text) => text == null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    public static string CpuName(in sdn_system_info_t info)
    {
        fixed (byte* name = info.cpu_name)
        {
            return Utf8(name);
        }
    }
}

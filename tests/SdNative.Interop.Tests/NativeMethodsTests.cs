using SdNative.Interop;

namespace SdNative.Interop.Tests;

public unsafe class NativeMethodsTests
{
    [Fact]
    public void SystemInfoComesFromTheNativeLibrary()
    {
        var info = SdnLibrary.SystemInfo();
        Assert.Equal((uint)sizeof(sdn_system_info_t), info.struct_size);
        Assert.True(info.physical_cores >= 1);
        Assert.True(info.logical_cores >= info.physical_cores);
        Assert.NotEqual(0u, info.backends & (uint)SdnBackend.Cpu);
        Assert.False(string.IsNullOrWhiteSpace(SdnLibrary.CpuName(info)));
        Assert.Equal(Environment.ProcessorCount, info.logical_cores);
    }

    [Fact]
    public void AbiVersionOfTheLibraryMatchesTheBindings()
    {
        SdnLibrary.EnsureLoaded();
        Assert.Equal(NativeConstants.SDN_ABI_VERSION, NativeMethods.sdn_abi_version());
    }

    [Fact]
    public void ContextErrorsComeBackAsStatusAndMessage()
    {
        SdnLibrary.EnsureLoaded();
        sdn_context_options_t options;
        NativeMethods.sdn_context_options_init(&options);
        options.cpu_variant = 99;
        nint ctx;
        Assert.Equal(SdnStatus.ErrInvalidArgument, NativeMethods.sdn_context_create(&options, &ctx));
        Assert.Equal("invalid_argument", SdnLibrary.StatusName(SdnStatus.ErrInvalidArgument));
    }

    [Fact]
    public void ContextHandleReleasesItsObject()
    {
        long before = SdnLibrary.LiveObjectCount;
        sdn_context_options_t options;
        NativeMethods.sdn_context_options_init(&options);
        options.n_threads = 1;
        nint ctx;
        Assert.Equal(SdnStatus.Ok, NativeMethods.sdn_context_create(&options, &ctx));
        var handle = new Handles.SdnContextHandle();
        handle.Adopt(ctx);
        Assert.Equal(before + 1, SdnLibrary.LiveObjectCount);
        using (var lease = handle.Use())
        {
            Assert.Equal(1, NativeMethods.sdn_context_thread_count(lease.Pointer));
        }
        handle.Dispose();
        Assert.True(handle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => handle.Use());
        Assert.Equal(before, SdnLibrary.LiveObjectCount);
    }

    [Fact]
    public void AbiMismatchNamesBothVersions()
    {
        var e = Assert.Throws<AbiMismatchException>(() => SdnLibrary.EnsureAbiCompatible(7, 3));
        Assert.Contains("7", e.Message);
        Assert.Contains("3", e.Message);
        Assert.Equal(7, e.LibraryVersion);
        Assert.Equal(3, e.ExpectedVersion);
    }
}

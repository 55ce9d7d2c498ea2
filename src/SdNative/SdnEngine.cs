using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>
/// One native engine context (<c>sdn_context</c>): a thread pool, kernels for the CPU, logs,
/// progress and cancellation. Models loaded through an engine run their work on it.
/// </summary>
/// <remarks>
/// Thread safety: an engine runs one job at a time; concurrent calls on the same engine wait
/// for each other (FIFO-ish, through a semaphore). For parallel work create several engines:
/// contexts share nothing, so two engines on two threads give the same bits as serial runs.
/// Native logs go to the <see cref="ILogger"/> given at creation; progress of a job goes to the
/// <see cref="IProgress{T}"/> passed to that job. Dispose the engine after its models.
/// </remarks>
public sealed partial class SdnEngine : IDisposable
{
    private readonly SdnContextHandle _context = new();
    private readonly SemaphoreSlim _oneJobAtATime = new(1, 1);
    private readonly CallbackSink _sink;
    private GCHandle _sinkHandle;
    private bool _disposed;

    public unsafe SdnEngine(SdnEngineOptions? options = null, ILogger? logger = null)
    {
        SdnLibrary.EnsureLoaded();
        options ??= new SdnEngineOptions();
        sdn_context_options_t native;
        NativeMethods.sdn_context_options_init(&native);
        native.n_threads = options.Threads;
        native.cpu_variant = (int)options.CpuVariant.ToNative();
        var device = options.Device ?? ComputeDevice.Cpu;
        native.backend = device.Kind.ToNativeBackend();
        native.device_index = device.Index;
        native.memory_budget_bytes = options.MemoryBudgetBytes;
        nint created;
        var status = NativeMethods.sdn_context_create(&native, &created);
        if (status != SdnStatus.Ok)
        {
            var devices = GpuDevice.List();
            var available = devices.Count == 0 ? "none" : string.Join("; ", devices);
            throw new SdnException(status.ToManaged(), $"Could not create an engine context ({SdnLibrary.StatusName(status)}): threads={options.Threads}, cpu variant={options.CpuVariant}, device={device}, memory budget={options.MemoryBudgetBytes} bytes. GPU devices: {available}.");
        }
        _context.Adopt(created);

        _sink = new CallbackSink(logger ?? NullLogger.Instance);
        // The context holds the address of the sink only; the handle keeps the sink alive and
        // fixed-identity until Dispose removes the callbacks and frees it.
        _sinkHandle = GCHandle.Alloc(_sink);
        void* user = (void*)GCHandle.ToIntPtr(_sinkHandle);
        int minLevel = _sink.Logger.IsEnabled(LogLevel.Debug) ? (int)SdnLogLevel.Debug
            : _sink.Logger.IsEnabled(LogLevel.Information) ? (int)SdnLogLevel.Info
            : (int)SdnLogLevel.Warn;
        NativeMethods.sdn_context_set_log_callback(created, new SdnLogCallback(&OnLog), minLevel, user);
        NativeMethods.sdn_context_set_progress_callback(created, new SdnProgressCallback(&OnProgress), user);
        NativeMethods.sdn_context_set_preview_callback(created, new SdnPreviewCallback(&OnPreview), user);
    }

    /// <summary>The device this engine computes on: "cpu" or "vulkan:N name".</summary>
    public unsafe string DeviceName
    {
        get
        {
            using var lease = _context.Use();
            return SdnLibrary.Utf8(NativeMethods.sdn_context_device_name(lease.Pointer));
        }
    }

    /// <summary>Threads the context's pool runs.</summary>
    public int ThreadCount
    {
        get
        {
            using var lease = _context.Use();
            return NativeMethods.sdn_context_thread_count(lease.Pointer);
        }
    }

    /// <summary>The kernel family this context runs.</summary>
    public CpuVariant CpuVariant
    {
        get
        {
            using var lease = _context.Use();
            return ((SdnCpuVariant)NativeMethods.sdn_context_cpu_variant(lease.Pointer)).ToManaged();
        }
    }

    /// <summary>Peak bytes of scratch memory this context's calls have planned so far.</summary>
    public long PeakScratchBytes
    {
        get
        {
            using var lease = _context.Use();
            return NativeMethods.sdn_context_peak_scratch_bytes(lease.Pointer);
        }
    }

    /// <summary>Test hook: called when a UNet evaluation on this engine starts (true) and ends (false).
    /// Runs on the engine's worker thread, inside the native call; keep it short.</summary>
    public unsafe Action<bool>? UnetHook
    {
        get => _sink.UnetHook;
        set
        {
            _sink.UnetHook = value;
            using var lease = _context.Use();
            NativeMethods.sdn_context_set_unet_hook(
                lease.Pointer,
                value is null ? SdnUnetHook.Null : new SdnUnetHook(&OnUnet),
                (void*)GCHandle.ToIntPtr(_sinkHandle));
        }
    }

    /// <summary>
    /// Runs one native job on a worker thread: waits for the engine, resets the cancel flag,
    /// routes progress, turns a cancellation token into <c>sdn_context_cancel</c>, and turns a
    /// failed status into <see cref="SdnException"/> or <see cref="OperationCanceledException"/>.
    /// The work gets the context pointer and returns the status of its native call.
    /// </summary>
    internal async Task<T> RunAsync<T>(string what, JobBody<T> work, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _oneJobAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await Task.Run(() => RunOnThisThread(what, work, progress, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _oneJobAtATime.Release();
        }
    }

    internal delegate SdnStatus JobBody<T>(nint context, out T result);

    private unsafe T RunOnThisThread<T>(string what, JobBody<T> work, IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        using var lease = _context.Use();
        nint ctx = lease.Pointer;
        NativeMethods.sdn_context_reset_cancel(ctx);
        _sink.Progress = progress;
        _sink.Cancelled = cancellationToken;
        try
        {
            SdnStatus status;
            T result;
            using (cancellationToken.Register(static state => CancelContext((SdnContextHandle)state!), _context))
            {
                status = work(ctx, out result);
            }
            if (status == SdnStatus.Ok)
            {
                return result;
            }
            if (status == SdnStatus.ErrCancelled)
            {
                throw new OperationCanceledException($"{what} was cancelled.", cancellationToken);
            }
            string message = SdnLibrary.Utf8(NativeMethods.sdn_context_last_error(ctx));
            throw new SdnException(status.ToManaged(), string.IsNullOrEmpty(message) ? $"{what} failed: {SdnLibrary.StatusName(status)}." : $"{what} failed: {message}");
        }
        finally
        {
            _sink.Progress = null;
            _sink.Cancelled = CancellationToken.None;
        }
    }

    private static void CancelContext(SdnContextHandle context)
    {
        bool added = false;
        try
        {
            context.DangerousAddRef(ref added);
            NativeMethods.sdn_context_cancel(context.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            // The engine is gone; nothing runs on it any more.
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    internal SdnContextHandle Context => _context;

    public unsafe void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // Wait for a running job: its native call uses the sink.
        _oneJobAtATime.Wait();
        if (!_context.IsInvalid && !_context.IsClosed)
        {
            nint ctx = _context.DangerousGetHandle();
            NativeMethods.sdn_context_set_log_callback(ctx, SdnLogCallback.Null, (int)SdnLogLevel.Error, null);
            NativeMethods.sdn_context_set_progress_callback(ctx, SdnProgressCallback.Null, null);
            NativeMethods.sdn_context_set_preview_callback(ctx, SdnPreviewCallback.Null, null);
            NativeMethods.sdn_context_set_unet_hook(ctx, SdnUnetHook.Null, null);
        }
        _context.Dispose();
        if (_sinkHandle.IsAllocated)
        {
            _sinkHandle.Free();
        }
        _oneJobAtATime.Release();
        _oneJobAtATime.Dispose();
    }

    /// <summary>What the callbacks reach through user_data.</summary>
    private sealed class CallbackSink(ILogger logger)
    {
        public ILogger Logger { get; } = logger;
        public volatile IProgress<GenerationProgress>? Progress;
        public CancellationToken Cancelled;
        public unsafe Action<bool>? UnetHook;
    }

    private static unsafe CallbackSink? Sink(void* user) =>
        user == null ? null : GCHandle.FromIntPtr((nint)user).Target as CallbackSink;

    // The trampolines must not let an exception reach native code: that would tear down the process.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnLog(int level, byte* message, void* user)
    {
        try
        {
            var sink = Sink(user);
            if (sink is null)
            {
                return;
            }
            var logLevel = level switch
            {
                (int)SdnLogLevel.Debug => LogLevel.Debug,
                (int)SdnLogLevel.Info => LogLevel.Information,
                (int)SdnLogLevel.Warn => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            sink.Logger.Log(logLevel, "{Message}", SdnLibrary.Utf8(message));
        }
        catch
        {
            // A logger that throws loses its message, nothing more.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnProgress(sdn_progress_t* progress, void* user)
    {
        try
        {
            Sink(user)?.Progress?.Report(new GenerationProgress(((SdnStage)progress->stage).ToManaged(), progress->step, progress->total));
        }
        catch
        {
            // Progress is advice; a failing reporter must not break the job.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnPreview(int width, int height, byte* rgb, void* user)
    {
        try
        {
            var reporter = Sink(user)?.Progress;
            if (reporter is null || width <= 0 || height <= 0 || rgb == null)
            {
                return;
            }
            var image = new ImageBatch(1, height, width, 3);
            var bytes = new ReadOnlySpan<byte>(rgb, width * height * 3);
            var data = image.Pixels.Data;
            for (int i = 0; i < bytes.Length; i++)
            {
                data[i] = bytes[i] / 255f;
            }
            reporter.Report(new GenerationProgress(GenerationStage.Sampling, 0, 0, image));
        }
        catch
        {
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnUnet(int entering, void* user)
    {
        try
        {
            Sink(user)?.UnetHook?.Invoke(entering != 0);
        }
        catch
        {
        }
    }
}

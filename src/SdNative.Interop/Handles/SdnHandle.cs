using System.Runtime.InteropServices;

namespace SdNative.Interop.Handles;

/// <summary>
/// Base of the SafeHandles around libsdnative objects. Release calls the object's sdn_*_free;
/// there is no finalizer doing native work beyond what SafeHandle itself guarantees.
/// </summary>
public abstract class SdnHandle : SafeHandle
{
    protected SdnHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a pointer returned by the library.</summary>
    public void Adopt(nint pointer) => SetHandle(pointer);

    /// <summary>Keeps the handle alive while native code uses its pointer.</summary>
    public Lease Use() => new(this);

    public readonly struct Lease : IDisposable
    {
        private readonly SdnHandle _owner;
        private readonly bool _added;

        public Lease(SdnHandle owner)
        {
            ObjectDisposedException.ThrowIf(owner.IsClosed || owner.IsInvalid, owner);
            _owner = owner;
            _added = false;
            owner.DangerousAddRef(ref _added);
            Pointer = owner.DangerousGetHandle();
        }

        public nint Pointer { get; }

        public void Dispose()
        {
            if (_added)
            {
                _owner.DangerousRelease();
            }
        }
    }
}

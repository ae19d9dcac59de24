using System.Buffers.Binary;
using System.Text;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// An attribute template (search criteria, key generation template) built in managed memory and marshalled to a
/// CK_ATTRIBUTE array only for the duration of one call. Not thread-safe while being built; a built template may be
/// used concurrently.
/// </summary>
public sealed class Pkcs11Template
{
    private readonly List<(nuint Type, byte[] Value)> _attributes = [];

    public int Count => _attributes.Count;

    /// <summary>A CK_BBOOL attribute (1 byte).</summary>
    public Pkcs11Template Bool(nuint type, bool value)
    {
        _attributes.Add((type, [value ? (byte)1 : (byte)0]));
        return this;
    }

    /// <summary>A CK_ULONG attribute (8 bytes, native byte order).</summary>
    public Pkcs11Template ULong(nuint type, nuint value)
    {
        var bytes = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _attributes.Add((type, bytes));
        return this;
    }

    /// <summary>A byte-array attribute.</summary>
    public Pkcs11Template Bytes(nuint type, ReadOnlySpan<byte> value)
    {
        _attributes.Add((type, value.ToArray()));
        return this;
    }

    /// <summary>A UTF-8 string attribute such as CKA_LABEL (not padded, not NUL-terminated).</summary>
    public Pkcs11Template Text(nuint type, string value)
    {
        _attributes.Add((type, Encoding.UTF8.GetBytes(value)));
        return this;
    }

    /// <summary>Pins the values and hands <paramref name="call"/> a CK_ATTRIBUTE array valid only during the call.</summary>
    internal unsafe T Use<T>(Func<nint, nuint, T> call)
    {
        var count = _attributes.Count;
        var attributes = new CkAttribute[Math.Max(count, 1)];
        var handles = new System.Runtime.InteropServices.GCHandle[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (type, value) = _attributes[i];
                handles[i] = System.Runtime.InteropServices.GCHandle.Alloc(value, System.Runtime.InteropServices.GCHandleType.Pinned);
                attributes[i] = new CkAttribute
                {
                    type = type,
                    pValue = value.Length == 0 ? 0 : handles[i].AddrOfPinnedObject(),
                    ulValueLen = (nuint)value.Length,
                };
            }

            fixed (CkAttribute* p = attributes)
            {
                return call((nint)p, (nuint)count);
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
            }
        }
    }
}

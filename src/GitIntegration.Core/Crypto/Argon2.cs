#nullable enable
using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Org.BouncyCastle.Crypto.Digests;

namespace GitIntegration.Core.Crypto;

public enum Argon2Type
{
    Argon2d = 0,
    Argon2i = 1,
    Argon2id = 2,
}

/// <summary>Argon2 (RFC 9106, version 0x13) over BouncyCastle's BLAKE2b.</summary>
public static class Argon2
{
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 1000;
    public const int MaxParallelism = 255;
    public const int MinOutputLength = 4;
    public const int MaxOutputLength = 1024;
    public const int MinSaltLength = 8;

    private const int Version = 0x13;
    private const int BlockWords = 128; // 1 KiB block as 64-bit words
    private const int SyncPoints = 4;

    private static readonly ulong[] ZeroBlock = new ulong[BlockWords];

    public static byte[] Hash(
        Argon2Type type,
        byte[] password,
        byte[] salt,
        int memoryKiB,
        int iterations,
        int parallelism,
        int outputLength,
        byte[]? secret = null,
        byte[]? associatedData = null,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        if (password == null)
            throw new ArgumentNullException(nameof(password));
        if (salt == null)
            throw new ArgumentNullException(nameof(salt));
        if (type != Argon2Type.Argon2d && type != Argon2Type.Argon2i && type != Argon2Type.Argon2id)
            throw new ArgumentOutOfRangeException(nameof(type), type, "type must be Argon2d, Argon2i or Argon2id.");
        if (parallelism < 1 || parallelism > MaxParallelism)
            throw new ArgumentOutOfRangeException(
                nameof(parallelism),
                parallelism,
                $"parallelism must be between 1 and {MaxParallelism}."
            );
        if (memoryKiB < 8 * parallelism || memoryKiB > MaxMemoryKiB)
            throw new ArgumentOutOfRangeException(
                nameof(memoryKiB),
                memoryKiB,
                $"memoryKiB must be between 8*parallelism ({8 * parallelism}) and {MaxMemoryKiB}."
            );
        if (iterations < 1 || iterations > MaxIterations)
            throw new ArgumentOutOfRangeException(
                nameof(iterations),
                iterations,
                $"iterations must be between 1 and {MaxIterations}."
            );
        if (outputLength < MinOutputLength || outputLength > MaxOutputLength)
            throw new ArgumentOutOfRangeException(
                nameof(outputLength),
                outputLength,
                $"outputLength must be between {MinOutputLength} and {MaxOutputLength}."
            );
        if (salt.Length < MinSaltLength)
            throw new ArgumentOutOfRangeException(
                nameof(salt),
                salt.Length,
                $"salt must be at least {MinSaltLength} bytes."
            );
        cancellationToken.ThrowIfCancellationRequested();

        var ctx = new Context(type, memoryKiB, iterations, parallelism);
        byte[] seed = new byte[72]; // H0 || LE32(block index) || LE32(lane)
        byte[] blockBytes = new byte[1024];
        var scratch = new LaneScratch[parallelism];
        for (int lane = 0; lane < parallelism; lane++)
            scratch[lane] = new LaneScratch();
        try
        {
            InitialHash(
                seed,
                type,
                password,
                salt,
                secret,
                associatedData,
                memoryKiB,
                iterations,
                parallelism,
                outputLength
            );
            for (int lane = 0; lane < parallelism; lane++)
            {
                for (int i = 0; i < 2; i++)
                {
                    StoreLE32(seed, 64, (uint)i);
                    StoreLE32(seed, 68, (uint)lane);
                    HPrime(seed, blockBytes, BlockWords * 8);
                    int off = (lane * ctx.LaneLength + i) * BlockWords;
                    for (int w = 0; w < BlockWords; w++)
                        ctx.Memory[off + w] = LoadLE64(blockBytes, w * 8);
                }
            }

            int totalSlices = iterations * SyncPoints;
            for (int pass = 0; pass < iterations; pass++)
            {
                for (int slice = 0; slice < SyncPoints; slice++)
                {
                    if (parallelism == 1)
                    {
                        FillSegment(ctx, scratch[0], pass, 0, slice, cancellationToken);
                    }
                    else
                    {
                        // Lanes only reference other lanes' finished slices, so one slice's segments are independent.
                        int p = pass,
                            s = slice;
                        Parallel.For(
                            0,
                            parallelism,
                            lane => FillSegment(ctx, scratch[lane], p, lane, s, cancellationToken)
                        );
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Invoke((double)(pass * SyncPoints + slice + 1) / totalSlices);
                }
            }

            // C = XOR of the last block of every lane; tag = H'(C).
            ulong[] final = scratch[0].R;
            Array.Copy(ctx.Memory, (ctx.LaneLength - 1) * BlockWords, final, 0, BlockWords);
            for (int lane = 1; lane < parallelism; lane++)
            {
                int off = (lane * ctx.LaneLength + ctx.LaneLength - 1) * BlockWords;
                for (int w = 0; w < BlockWords; w++)
                    final[w] ^= ctx.Memory[off + w];
            }
            for (int w = 0; w < BlockWords; w++)
                StoreLE64(blockBytes, w * 8, final[w]);

            byte[] tag = new byte[outputLength];
            HPrime(blockBytes, tag, outputLength);
            return tag;
        }
        finally
        {
            Array.Clear(ctx.Memory, 0, ctx.Memory.Length);
            foreach (LaneScratch lane in scratch)
                Array.Clear(lane.R, 0, BlockWords);
            Array.Clear(seed, 0, seed.Length);
            Array.Clear(blockBytes, 0, blockBytes.Length);
        }
    }

    private sealed class Context
    {
        public readonly ulong[] Memory;
        public readonly int Lanes,
            LaneLength,
            SegmentLength,
            BlockCount,
            Passes;
        public readonly Argon2Type Type;

        public Context(Argon2Type type, int memoryKiB, int passes, int lanes)
        {
            Type = type;
            Passes = passes;
            Lanes = lanes;
            SegmentLength = memoryKiB / (SyncPoints * lanes);
            LaneLength = SegmentLength * SyncPoints;
            BlockCount = LaneLength * lanes;
            Memory = new ulong[BlockCount * BlockWords];
        }
    }

    private sealed class LaneScratch
    {
        public readonly ulong[] R = new ulong[BlockWords];
        public readonly ulong[] Input = new ulong[BlockWords];
        public readonly ulong[] Address = new ulong[BlockWords];
    }

    // AggressiveOptimization (not in netstandard2.0's enum): JIT the hot path fully optimized on first use rather than
    // running a one-off hash on tier-0 code. Runtimes without tiering ignore it.
    private const MethodImplOptions HotPath = (MethodImplOptions)512;

    [MethodImpl(HotPath)]
    private static unsafe void FillSegment(
        Context ctx,
        LaneScratch scratch,
        int pass,
        int lane,
        int slice,
        CancellationToken cancellationToken
    )
    {
        // The caller throws after the slice; returning early keeps exceptions out of Parallel.For.
        if (cancellationToken.IsCancellationRequested)
            return;

        int segLen = ctx.SegmentLength,
            laneLen = ctx.LaneLength;
        bool dataIndependent =
            ctx.Type == Argon2Type.Argon2i || (ctx.Type == Argon2Type.Argon2id && pass == 0 && slice < SyncPoints / 2);

        fixed (ulong* mem = ctx.Memory)
        fixed (ulong* input = scratch.Input)
        fixed (ulong* address = scratch.Address)
        fixed (ulong* r = scratch.R)
        {
            if (dataIndependent)
            {
                for (int w = 0; w < BlockWords; w++)
                    input[w] = 0;
                input[0] = (ulong)pass;
                input[1] = (ulong)lane;
                input[2] = (ulong)slice;
                input[3] = (ulong)ctx.BlockCount;
                input[4] = (ulong)ctx.Passes;
                input[5] = (ulong)ctx.Type;
            }

            int start = pass == 0 && slice == 0 ? 2 : 0; // blocks 0 and 1 come from H'
            if (dataIndependent && start != 0)
                NextAddresses(input, address, r);

            ulong* laneMem = mem + (long)lane * laneLen * BlockWords;
            int cur = slice * segLen + start; // index within the lane
            int prev = cur == 0 ? laneLen - 1 : cur - 1;
            bool withXor = pass != 0; // version 0x13 XORs into the old block on later passes
            int refStart = pass == 0 || slice == SyncPoints - 1 ? 0 : (slice + 1) * segLen;

            for (int i = start; i < segLen; i++, cur++, prev = cur - 1)
            {
                ulong pseudoRand;
                if (dataIndependent)
                {
                    if (i % BlockWords == 0)
                        NextAddresses(input, address, r);
                    pseudoRand = address[i % BlockWords];
                }
                else
                {
                    pseudoRand = laneMem[(long)prev * BlockWords];
                }

                int refLane = pass == 0 && slice == 0 ? lane : (int)((pseudoRand >> 32) % (ulong)ctx.Lanes);
                int areaSize;
                if (refLane == lane)
                    areaSize = (pass == 0 ? slice * segLen : laneLen - segLen) + i - 1;
                else
                    areaSize = (pass == 0 ? slice * segLen : laneLen - segLen) + (i == 0 ? -1 : 0);

                ulong x = pseudoRand & 0xFFFFFFFFUL;
                x = (x * x) >> 32;
                ulong rel = (ulong)areaSize - 1 - (((ulong)areaSize * x) >> 32);
                long refIndex = (long)refLane * laneLen + (long)(((ulong)refStart + rel) % (ulong)laneLen);

                Compress(
                    laneMem + (long)prev * BlockWords,
                    mem + refIndex * BlockWords,
                    laneMem + (long)cur * BlockWords,
                    withXor,
                    r
                );
            }
        }
    }

    private static unsafe void NextAddresses(ulong* input, ulong* address, ulong* r)
    {
        input[6]++;
        fixed (ulong* zero = ZeroBlock)
        {
            Compress(zero, input, address, false, r);
            Compress(zero, address, address, false, r);
        }
    }

    /// <summary>
    /// dst = G(x, y), or dst ^= G(x, y) when <paramref name="xorDst"/>. dst may alias x or y word-for-word.
    /// </summary>
    [MethodImpl(HotPath)]
    private static unsafe void Compress(ulong* x, ulong* y, ulong* dst, bool xorDst, ulong* r)
    {
        // The XOR loops are unrolled by hand and walk pointers: the JIT neither unrolls nor vectorizes them, and
        // int indices cost a sign extension per access.
        for (ulong* px = x, py = y, pr = r, end = r + BlockWords; pr < end; px += 4, py += 4, pr += 4)
        {
            pr[0] = px[0] ^ py[0];
            pr[1] = px[1] ^ py[1];
            pr[2] = px[2] ^ py[2];
            pr[3] = px[3] ^ py[3];
        }

        for (int i = 0; i < 8; i++)
            Permute(r + 16 * i, 2); // rows: 16 consecutive words
        for (int i = 0; i < 8; i++)
            Permute(r + 2 * i, 16); // columns: word pairs 16 apart

        // dst = R' ^ R, where R = x ^ y is recomputed rather than kept in a second scratch block.
        if (xorDst)
        {
            for (
                ulong* px = x, py = y, pr = r, pd = dst, end = r + BlockWords;
                pr < end;
                px += 4, py += 4, pr += 4, pd += 4
            )
            {
                pd[0] ^= pr[0] ^ px[0] ^ py[0];
                pd[1] ^= pr[1] ^ px[1] ^ py[1];
                pd[2] ^= pr[2] ^ px[2] ^ py[2];
                pd[3] ^= pr[3] ^ px[3] ^ py[3];
            }
        }
        else
        {
            for (
                ulong* px = x, py = y, pr = r, pd = dst, end = r + BlockWords;
                pr < end;
                px += 4, py += 4, pr += 4, pd += 4
            )
            {
                pd[0] = pr[0] ^ px[0] ^ py[0];
                pd[1] = pr[1] ^ px[1] ^ py[1];
                pd[2] = pr[2] ^ px[2] ^ py[2];
                pd[3] = pr[3] ^ px[3] ^ py[3];
            }
        }
    }

    /// <summary>The BLAKE2b-based permutation P on the word pairs v[k*s], v[k*s + 1], k = 0..7.</summary>
    /// <remarks>Inlined with a constant <paramref name="s"/> so every access is a fixed offset from one register:
    /// with a pointer per pair the JIT runs out of registers and spills inside G's dependency chain.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Permute(ulong* v, int s)
    {
        G(v, 0, 2 * s, 4 * s, 6 * s);
        G(v, 1, 2 * s + 1, 4 * s + 1, 6 * s + 1);
        G(v, s, 3 * s, 5 * s, 7 * s);
        G(v, s + 1, 3 * s + 1, 5 * s + 1, 7 * s + 1);
        G(v, 0, 2 * s + 1, 5 * s, 7 * s + 1);
        G(v, 1, 3 * s, 5 * s + 1, 6 * s);
        G(v, s, 3 * s + 1, 4 * s, 6 * s + 1);
        G(v, s + 1, 2 * s, 4 * s + 1, 7 * s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void G(ulong* v, int ia, int ib, int ic, int id)
    {
        ulong a = v[ia],
            b = v[ib],
            c = v[ic],
            d = v[id];
        a = BlaMka(a, b);
        d = RotR(d ^ a, 32);
        c = BlaMka(c, d);
        b = RotR(b ^ c, 24);
        a = BlaMka(a, b);
        d = RotR(d ^ a, 16);
        c = BlaMka(c, d);
        b = RotR(b ^ c, 63);
        v[ia] = a;
        v[ib] = b;
        v[ic] = c;
        v[id] = d;
    }

    /// <summary>x + y + 2 * lo32(x) * lo32(y); written as a shift so the JIT folds it into one lea.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BlaMka(ulong x, ulong y) => x + y + (((ulong)(uint)x * (uint)y) << 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotR(ulong x, int n) => (x >> n) | (x << (64 - n));

    private static void InitialHash(
        byte[] h0,
        Argon2Type type,
        byte[] password,
        byte[] salt,
        byte[]? secret,
        byte[]? ad,
        int memoryKiB,
        int iterations,
        int parallelism,
        int outputLength
    )
    {
        var digest = new Blake2bDigest(512);
        byte[] le = new byte[4];
        void Int(int v)
        {
            StoreLE32(le, 0, (uint)v);
            digest.BlockUpdate(le, 0, 4);
        }
        void Bytes(byte[]? data)
        {
            Int(data?.Length ?? 0);
            if (data != null)
                digest.BlockUpdate(data, 0, data.Length);
        }

        Int(parallelism);
        Int(outputLength);
        Int(memoryKiB);
        Int(iterations);
        Int(Version);
        Int((int)type);
        Bytes(password);
        Bytes(salt);
        Bytes(secret);
        Bytes(ad);
        digest.DoFinal(h0, 0);
    }

    /// <summary>
    /// Variable-length hash H' (RFC 9106 section 3.3) of <paramref name="input"/> into output[0..outLen).
    /// </summary>
    private static void HPrime(byte[] input, byte[] output, int outLen)
    {
        byte[] prefix = new byte[4];
        StoreLE32(prefix, 0, (uint)outLen);
        if (outLen <= 64)
        {
            var small = new Blake2bDigest(outLen * 8);
            small.BlockUpdate(prefix, 0, 4);
            small.BlockUpdate(input, 0, input.Length);
            small.DoFinal(output, 0);
            return;
        }

        var digest = new Blake2bDigest(512);
        byte[] v = new byte[64];
        digest.BlockUpdate(prefix, 0, 4);
        digest.BlockUpdate(input, 0, input.Length);
        digest.DoFinal(v, 0);
        Buffer.BlockCopy(v, 0, output, 0, 32);
        int pos = 32;
        while (outLen - pos > 64)
        {
            digest.BlockUpdate(v, 0, 64);
            digest.DoFinal(v, 0);
            Buffer.BlockCopy(v, 0, output, pos, 32);
            pos += 32;
        }
        var last = new Blake2bDigest((outLen - pos) * 8);
        last.BlockUpdate(v, 0, 64);
        last.DoFinal(output, pos);
        Array.Clear(v, 0, v.Length);
    }

    private static void StoreLE32(byte[] b, int off, uint v)
    {
        b[off] = (byte)v;
        b[off + 1] = (byte)(v >> 8);
        b[off + 2] = (byte)(v >> 16);
        b[off + 3] = (byte)(v >> 24);
    }

    private static void StoreLE64(byte[] b, int off, ulong v)
    {
        StoreLE32(b, off, (uint)v);
        StoreLE32(b, off + 4, (uint)(v >> 32));
    }

    private static ulong LoadLE64(byte[] b, int off)
    {
        ulong v = 0;
        for (int i = 7; i >= 0; i--)
            v = (v << 8) | b[off + i];
        return v;
    }
}

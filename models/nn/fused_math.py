"""The fused kernel's arithmetic: a strided matrix product and an exp that vectorise, inlined into its loops.

numba's on-disk cache keys a compiled function on its own source file only, and these are compiled into
models/nn/fused_kernel.py's functions: that file records this one's SHA-256 (MATH_SHA256), so an edit here changes
it there too, and tests/test_models_fused.py fails until it does.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import llvmlite.ir
import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic

Arr = np.ndarray  # kernels take flat float64 buffers (int64 for the plan); numba ignores the annotations


def _jit(inline: bool = False) -> Callable[[Callable], Callable]:
    # error_model="numpy": IEEE semantics (x/0 -> inf) like torch, and no zero checks in the loops. fastmath only
    # "contract": a * b + c may become one fused multiply-add (one rounding instead of two, so no less exact), 1.46x
    # the autoencoder's epochs and 1.14x xor's; no reassociation (sums keep their order), NaN and inf kept.
    opts = dict(cache=True, nogil=True, fastmath={"contract"}, error_model="numpy")
    return numba.njit(inline="always" if inline else "never", **opts)


# Inlined into each caller (numba IR level): the literal unit strides of a call site then become constants,
# ~20% faster than one shared copy, for ~1.5 s more compilation (once; cached on disk).
@_jit(inline=True)
def _gemm(
    out: Arr, o: int, og: int, A: Arr, a: int, ar: int, at: int,
    B: Arr, b: int, bg: int, bt: int, R: int, S: int, T: int,
) -> None:  # fmt: skip
    """out[o + s*og + r] = sum_{t<T} A[a + r*ar + t*at] * B[b + s*bg + t*bt] for r < R, s < S.

    Every product in the network is one of these on strided views of flat, H and G. Blocks of four sums run
    as four independent chains, hiding the add latency, while each sum still runs in plain order over t
    (fastmath off: no reassociation). A block is four s x one r when S >= 4 (an A load serves four s), else
    one s x four r; past the end of a block, indices repeat the last one and the repeats are not stored.
    """
    u = np.uint64  # unsigned indices: numba then skips the negative-index wraparound on every load
    if S == 1:  # a matrix times one vector (one sample): plain sums; the r are independent, so the CPU overlaps
        # them, and short sums skip the blocks' set-up (1.13x the autoencoder's epochs, 1.24x the deep net's)
        for r in range(u(R)):
            s0 = 0.0
            ar_ = u(a + r * ar)
            for t in range(u(T)):
                s0 += A[ar_ + t * u(at)] * B[u(b) + t * u(bt)]
            out[u(o) + r] = s0
        return
    wide = S >= 4
    P, N = (R, S) if wide else (S, R)
    for p in range(P):
        for q in range(0, N, 4):
            q1, q2, q3 = min(q + 1, N - 1), min(q + 2, N - 1), min(q + 3, N - 1)
            if wide:  # p is r, q is s
                a0 = a1 = a2 = a3 = a + p * ar
                b0, b1, b2, b3 = b + q * bg, b + q1 * bg, b + q2 * bg, b + q3 * bg
                i, st = o + q * og + p, og
            else:  # p is s, q is r
                a0, a1, a2, a3 = a + q * ar, a + q1 * ar, a + q2 * ar, a + q3 * ar
                b0 = b1 = b2 = b3 = b + p * bg
                i, st = o + p * og + q, 1
            a0, a1, a2, a3, b0, b1, b2, b3 = u(a0), u(a1), u(a2), u(a3), u(b0), u(b1), u(b2), u(b3)
            s0 = s1 = s2 = s3 = 0.0
            for t in range(u(T)):
                s0 += A[a0 + t * u(at)] * B[b0 + t * u(bt)]
                s1 += A[a1 + t * u(at)] * B[b1 + t * u(bt)]
                s2 += A[a2 + t * u(at)] * B[b2 + t * u(bt)]
                s3 += A[a3 + t * u(at)] * B[b3 + t * u(bt)]
            out[i] = s0
            if q + 1 < N:
                out[i + st] = s1
            if q + 2 < N:
                out[i + 2 * st] = s2
            if q + 3 < N:
                out[i + 3 * st] = s3



@intrinsic
def _f64_from_bits(typingctx, bits):  # noqa: ANN001, ANN202 - numba's intrinsic protocol
    """The float64 whose IEEE bits are the int64 `bits` (2^k is (k + 1023) << 52)."""

    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return builder.bitcast(args[0], llvmlite.ir.DoubleType())

    return types.float64(types.int64), codegen


# fdlibm's exp (e_exp.c, the algorithm of V8's Math.exp and of most libms): x = k ln2 + r, |r| <= ln2 / 2,
# exp(r) from a degree-5 rational approximation, times 2^k built from its bits. Error below one ulp.
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln 2's leading 32 bits: k * _LN2_HI is exact for |k| < 2^20
_LN2_LO = 1.90821492927058770002e-10
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08


@_jit(inline=True)
def _exp(x: float) -> float:
    """exp(x) to within an ulp of libm's, without a call or a branch: a loop of these vectorises.

    libm's exp is a call the compiler cannot see into, one element at a time: on the lecture networks the exps of
    sigmoid and tanh were most of an epoch's time. Selects, not branches, handle the edges: above 709.78 it is
    inf, below -708 (where 2^k would need subnormal bits) 0 instead of a subnormal under 3e-308, NaN stays NaN.
    """
    xc = min(max(x, -708.0), 709.79)
    k = math.floor(xc * _LOG2E + 0.5)
    hi = xc - k * _LN2_HI
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    # 2^(k-1) * 2: k reaches 1024 just below the overflow, whose 2^k has no bits of its own
    y = (1.0 - ((lo - (r * c) / (2.0 - c)) - hi)) * _f64_from_bits((np.int64(k) + 1022) << 52) * 2.0
    y = math.inf if x > 709.782712893384 else y  # exp(709.78...) is the largest finite float64
    y = 0.0 if x < -708.0 else y
    return x if x != x else y

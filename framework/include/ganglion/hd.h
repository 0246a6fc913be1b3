/* GG_HD marks a function for the host and, where nvcc compiles it, for a CUDA device too: the
 * arithmetic that ganglion's CPU and GPU backends share (random numbers, elementary functions, the
 * models' element steps) is written once with it, so both give the same bits. C and C++. On the
 * host it is always inlined: a function called in a GANGLION_SIMD loop must be built into each of
 * the loop's versions, or the loop calls the baseline's out of line and does not vectorise. */
#ifndef GANGLION_HD_H
#define GANGLION_HD_H

#ifndef GG_HD
#if defined(__CUDACC__)
#define GG_HD __host__ __device__ __forceinline__
#elif defined(__GNUC__)
#define GG_HD inline __attribute__((always_inline))
#else
#define GG_HD inline
#endif
#endif

#endif

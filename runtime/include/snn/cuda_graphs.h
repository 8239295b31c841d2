/*===- snn/cuda_graphs.h - Whether a CUDA model replays its steps as graphs -===*
 *
 * A model built with --target=cuda captures each step's launches once as a
 * CUDA graph and replays it at every step (snn_replay in snn/cuda_device.h).
 * SNN_CUDA_GRAPHS=0 in the environment launches the kernels one by one
 * instead, with the same results, to compare the two or to profile kernel
 * by kernel; 1 (or unset) is the default. The CUDA device refuses any other
 * value at its first allocation, so a mistyped value stops the run there
 * with a message rather than being taken for either.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SNN_CUDA_GRAPHS_H
#define SNN_CUDA_GRAPHS_H

#include <cstdio>
#include <cstdlib>
#include <cstring>

/** 1 (replay graphs) for NULL, "" or "1"; 0 for "0"; -1 for anything else. */
static inline int snn_cuda_graphs_setting(const char *value) {
  if (!value || !*value || std::strcmp(value, "1") == 0)
    return 1;
  return std::strcmp(value, "0") == 0 ? 0 : -1;
}

/** Whether steps replay graphs; read once. */
static inline bool snn_cuda_graphs_wanted() {
  static const bool wanted = snn_cuda_graphs_setting(std::getenv("SNN_CUDA_GRAPHS")) != 0;
  return wanted;
}

/** 0 when SNN_CUDA_GRAPHS is valid, else 1 with a message in `error`. */
static inline int snn_cuda_graphs_check(char *error, unsigned long long error_size) {
  const char *value = std::getenv("SNN_CUDA_GRAPHS");
  if (snn_cuda_graphs_setting(value) >= 0)
    return 0;
  std::snprintf(error, size_t(error_size),
                "the environment's SNN_CUDA_GRAPHS is '%s': expected 1 (replay each step's launches as a CUDA graph, "
                "the default) or 0 (launch them one by one)",
                value);
  return 1;
}

#endif /* SNN_CUDA_GRAPHS_H */

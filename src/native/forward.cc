// The forward pass (model.h): the graph's ops in its order, over the tokens of every sentence of a batch packed
// into one matrix, so each weight matrix is one GEMM per batch; attention, pooling and the output run per sentence.
// Only the real tokens are computed: the graph's padding rows never reach them (masked out of attention by a bias
// of -1e9, whose exponent is exactly 0 in float32, and left out of the pooled mean).
#include <cmath>
#include <cstring>
#include "gemm.h"
#include "model.h"

namespace uselite {

namespace {

using Buf = std::vector<float>;

// out[r] = bias, then out += a · w (packed): the graph's MatMul/Conv2D 1×1 followed by BiasAdd.
void dense(const float* a, int rows, int k, const float* w, const float* bias, int n, float* out) {
  for (int r = 0; r < rows; r++) std::memcpy(out + (size_t)r * n, bias, n * sizeof(float));
  gemm(a, rows, k, w, n, out);
}

// Mean, Sub, Square, Mean, Add epsilon, Rsqrt, Mul scale, Mul, Add bias: the graph's layer norm, per row.
void layer_norm(const float* x, int rows, int n, const float* scale, const float* bias, float eps, float* out) {
  for (int r = 0; r < rows; r++) {
    const float* row = x + (size_t)r * n;
    float* o = out + (size_t)r * n;
    float sum = 0;
    for (int i = 0; i < n; i++) sum += row[i];
    float mean = sum / n, sq = 0;
    for (int i = 0; i < n; i++) {
      o[i] = row[i] - mean;
      sq += o[i] * o[i];
    }
    float inv = 1.0f / std::sqrt(sq / n + eps);
    for (int i = 0; i < n; i++) o[i] = scale[i] * inv * o[i] + bias[i];
  }
}

// Scaled dot-product attention of one sentence (rows n, from qkv rows of width 3·heads·depth) into out.
void attend(const Layer& L, const float* qkv, int n, float* out, Buf& logits, Buf& q) {
  int width = L.heads * L.depth, stride = 3 * width;
  logits.resize((size_t)n);
  q.resize((size_t)L.depth);
  for (int h = 0; h < L.heads; h++) {
    for (int i = 0; i < n; i++) {
      const float* qi = qkv + (size_t)i * stride + h * L.depth;
      for (int d = 0; d < L.depth; d++) q[d] = qi[d] * L.scale;
      float top = -INFINITY;
      for (int j = 0; j < n; j++) {
        const float* kj = qkv + (size_t)j * stride + width + h * L.depth;
        float s = 0;
        for (int d = 0; d < L.depth; d++) s += q[d] * kj[d];
        logits[j] = s;
        top = s > top ? s : top;
      }
      float total = 0;
      for (int j = 0; j < n; j++) total += (logits[j] = std::exp(logits[j] - top));
      float* o = out + (size_t)i * width + h * L.depth;
      std::memset(o, 0, L.depth * sizeof(float));
      for (int j = 0; j < n; j++) {
        const float p = logits[j] / total;
        const float* vj = qkv + (size_t)j * stride + 2 * width + h * L.depth;
        for (int d = 0; d < L.depth; d++) o[d] += p * vj[d];
      }
    }
  }
}

struct Scratch {
  Buf norm, qkv, att, hidden, ffn, logits, q;
};

// One transformer layer over all rows; x (rows × in) becomes y (rows × dims).
void layer(const Model& m, const Layer& L, const float* x, int rows, const int* starts, const int* counts,
           int sentences, Scratch& s, Buf& y) {
  int in = L.in, dims = m.dims;
  s.norm.resize((size_t)rows * dims);
  s.qkv.resize((size_t)rows * 3 * in);
  s.att.resize((size_t)rows * in);
  s.hidden.resize((size_t)rows * m.ffn);
  Buf residual((size_t)rows * dims);
  if (L.widen) dense(x, rows, in, L.widen, L.widen_bias, dims, residual.data());
  else std::memcpy(residual.data(), x, residual.size() * sizeof(float));
  layer_norm(x, rows, in, L.ln1_scale, L.ln1_bias, m.epsilon, s.norm.data());
  dense(s.norm.data(), rows, in, L.qkv, L.qkv_bias, 3 * in, s.qkv.data());
  for (int i = 0; i < sentences; i++)
    attend(L, s.qkv.data() + (size_t)starts[i] * 3 * in, counts[i], s.att.data() + (size_t)starts[i] * in,
           s.logits, s.q);
  y.resize((size_t)rows * dims);
  dense(s.att.data(), rows, in, L.out, L.out_bias, dims, y.data());
  for (size_t i = 0; i < y.size(); i++) y[i] += residual[i];
  layer_norm(y.data(), rows, dims, L.ln2_scale, L.ln2_bias, m.epsilon, s.norm.data());
  dense(s.norm.data(), rows, dims, L.ffn1, L.ffn1_bias, m.ffn, s.hidden.data());
  for (float& v : s.hidden) v = v > 0 ? v : 0;
  // The feed-forward output goes to residual's storage, then y = ffn + y (the graph's order of operands).
  dense(s.hidden.data(), rows, m.ffn, L.ffn2, L.ffn2_bias, dims, residual.data());
  for (size_t i = 0; i < y.size(); i++) y[i] = residual[i] + y[i];
}

// The graph's input: each token's embedding, added to (itself plus the position signal).
void embed_tokens(const Model& m, const int32_t* ids, const int* counts, const int* firsts, int sentences, Buf& x) {
  int w = m.width, half = w / 2;
  size_t r = 0;
  for (int i = 0; i < sentences; i++)
    for (int j = 0; j < counts[i]; j++, r++) {
      const float* e = m.embeddings + (size_t)ids[firsts[i] + j] * w;
      float* o = x.data() + r * w;
      for (int c = 0; c < half; c++) {
        float angle = (float)j * m.timescales[c];
        o[c] = e[c] + (e[c] + std::sin(angle));
        o[half + c] = e[half + c] + (e[half + c] + std::cos(angle));
      }
    }
}

}  // namespace

std::string forward(const Model& m, const int32_t* ids, const int32_t* lengths, int count, float* out) {
  std::vector<int> starts(count), counts(count), firsts(count);
  int rows = 0, first = 0;
  for (int i = 0; i < count; i++) {
    if (lengths[i] < 0) return "a negative length";
    // ClipToMaxLength: tokens at a position past the maximum are left out.
    counts[i] = lengths[i] < m.max_length ? lengths[i] : m.max_length;
    starts[i] = rows;
    firsts[i] = first;
    for (int j = 0; j < lengths[i]; j++)
      if (ids[first + j] < 0 || ids[first + j] >= m.vocab) return "a token id outside the vocabulary";
    rows += counts[i];
    first += lengths[i];
  }
  Buf x((size_t)rows * m.width), y;
  embed_tokens(m, ids, counts.data(), firsts.data(), count, x);
  Scratch s;
  layer(m, m.layers[0], x.data(), rows, starts.data(), counts.data(), count, s, y);
  layer(m, m.layers[1], y.data(), rows, starts.data(), counts.data(), count, s, x);
  // The mean of each sentence's tokens (a sentence without any: zeros), then tanh(W·mean + b), L2-normalised.
  Buf pooled((size_t)count * m.dims, 0.0f);
  for (int i = 0; i < count; i++) {
    float* p = pooled.data() + (size_t)i * m.dims;
    for (int r = 0; r < counts[i]; r++) {
      const float* row = x.data() + (size_t)(starts[i] + r) * m.dims;
      for (int c = 0; c < m.dims; c++) p[c] += row[c];
    }
    float n = (float)(counts[i] > 1 ? counts[i] : 1);
    for (int c = 0; c < m.dims; c++) p[c] /= n;
  }
  dense(pooled.data(), count, m.dims, m.tanh_weights, m.tanh_bias, m.dims, out);
  for (int i = 0; i < count; i++) {
    float* o = out + (size_t)i * m.dims;
    float sq = 0;
    for (int c = 0; c < m.dims; c++) {
      o[c] = std::tanh(o[c]);
      sq += o[c] * o[c];
    }
    float inv = 1.0f / std::sqrt(sq > m.l2_epsilon ? sq : m.l2_epsilon);
    for (int c = 0; c < m.dims; c++) o[c] *= inv;
  }
  return "";
}

}  // namespace uselite

// The N-API surface of the index reader (ann-reader.h), used by src/core/memory/ann-reader.ts:
//   annOpen(path, dims) → handle        throws an Error whose code is ANN_UNSUPPORTED (a layout usearch may read),
//                                       ANN_CORRUPT or ANN_IO, with what is wrong as its message
//   annSize(handle) → the members that are not removed (usearch's size())
//   annSearch(handle, query: Float32Array, k, expansion) → Float64Array of keys, nearest first; throws ANN_CORRUPT
//   annContains(handle, key) → boolean  (a scan of every node)
//   annReachability(handle, maxKeys) → { members, unreached, keys: Float64Array (the first maxKeys) }: the members
//                                       no search reaches (a walk of every node's lists); throws ANN_CORRUPT
//   annClose(handle)                    unmaps the file now rather than when the handle is collected
//   annDots(query, vectors)             → Float64Array of dot products (recall's exact re-scoring), as vectors.ts
// Everything runs on the calling thread: a search is a few hundred microseconds, less than queueing async work.
#include <node_api.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ann-reader.h"

namespace {

using annreader::Index;

const napi_type_tag kIndexTag = {0x7072676e79756d6cULL, 0x616e6e6964780001ULL};

struct IndexHandle {
  Index* index = nullptr;
};

napi_value throw_coded(napi_env env, const char* code, const std::string& message) {
  napi_throw_error(env, code, message.c_str());
  return nullptr;
}

void finalize_index(napi_env, void* data, void*) {
  auto* h = static_cast<IndexHandle*>(data);
  delete h->index;
  delete h;
}

// The open index behind a handle, or null (after a TypeError is thrown) for anything else or a closed one.
Index* index_of(napi_env env, napi_value v) {
  napi_valuetype t;
  bool tagged = false;
  void* data = nullptr;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, v, &kIndexTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    napi_throw_type_error(env, nullptr, "not an index handle");
    return nullptr;
  }
  Index* index = static_cast<IndexHandle*>(data)->index;
  if (!index) napi_throw_error(env, "ANN_CLOSED", "the index was closed");
  return index;
}

// The arguments of a call on an index, the handle first: its index, or null unless there are exactly N (a TypeError
// thrown for a handle that is not an open index).
template <size_t N>
Index* index_call(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc == N ? index_of(env, argv[0]) : nullptr;
}

// Keys as a Float64Array (every key of a saved index is below 2^53: usearch's keys are memories' labels).
napi_value float64_array_of(napi_env env, const std::vector<uint64_t>& keys) {
  void* data;
  napi_value buffer, out;
  napi_create_arraybuffer(env, keys.size() * sizeof(double), &data, &buffer);
  for (size_t i = 0; i < keys.size(); i++) static_cast<double*>(data)[i] = (double)keys[i];
  napi_create_typedarray(env, napi_float64_array, keys.size(), buffer, 0, &out);
  return out;
}

// A Float32Array's elements, or false for anything else.
bool float32_of(napi_env env, napi_value v, const float** data, size_t* length) {
  bool is_typed = false;
  napi_typedarray_type type;
  void* bytes = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, length, &bytes, &buffer, &offset) != napi_ok || type != napi_float32_array)
    return false;
  *data = static_cast<const float*>(bytes);
  return true;
}

napi_value ann_open(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t dims = 0;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], nullptr, 0, &len) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &dims) != napi_ok) {
    napi_throw_type_error(env, nullptr, "annOpen(path, dims)");
    return nullptr;
  }
  std::string path(len, '\0');
  napi_get_value_string_utf8(env, argv[0], &path[0], len + 1, &len);
  auto* index = new Index();
  std::string error;
  annreader::Status s = annreader::open(path, dims, index, &error);
  if (s != annreader::Status::kOk) {
    delete index;
    const char* code = s == annreader::Status::kUnsupported ? "ANN_UNSUPPORTED"
                       : s == annreader::Status::kCorrupt   ? "ANN_CORRUPT"
                                                            : "ANN_IO";
    return throw_coded(env, code, error);
  }
  napi_value handle;
  napi_create_external(env, new IndexHandle{index}, finalize_index, nullptr, &handle);
  napi_type_tag_object(env, handle, &kIndexTag);
  return handle;
}

napi_value ann_size(napi_env env, napi_callback_info info) {
  napi_value argv[1] = {};
  Index* index = index_call(env, info, argv);
  if (!index) return nullptr;
  napi_value out;
  napi_create_double(env, (double)index->present, &out);
  return out;
}

napi_value ann_search(napi_env env, napi_callback_info info) {
  napi_value argv[4] = {};
  Index* index = index_call(env, info, argv);
  if (!index) return nullptr;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0, offset;
  void* data = nullptr;
  napi_value buffer;
  uint32_t k = 0, expansion = 0;
  if (napi_is_typedarray(env, argv[1], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float32_array || length != index->dims || napi_get_value_uint32(env, argv[2], &k) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &expansion) != napi_ok) {
    napi_throw_type_error(env, nullptr, "annSearch(handle, query: Float32Array of the index's dimension, k, expansion)");
    return nullptr;
  }
  std::vector<uint64_t> keys;
  std::string error = annreader::search(*index, static_cast<const float*>(data), k, expansion, &keys);
  if (!error.empty()) return throw_coded(env, "ANN_CORRUPT", error);
  return float64_array_of(env, keys);
}

napi_value ann_contains(napi_env env, napi_callback_info info) {
  napi_value argv[2] = {};
  Index* index = index_call(env, info, argv);
  if (!index) return nullptr;
  double key = -1;
  napi_get_value_double(env, argv[1], &key);
  napi_value out;
  napi_get_boolean(env, key >= 0 && key < 18446744073709551615.0 && annreader::contains(*index, (uint64_t)key), &out);
  return out;
}

napi_value ann_reachability(napi_env env, napi_callback_info info) {
  napi_value argv[2] = {};
  Index* index = index_call(env, info, argv);
  if (!index) return nullptr;
  uint32_t max_keys = 0;
  if (napi_get_value_uint32(env, argv[1], &max_keys) != napi_ok) {
    napi_throw_type_error(env, nullptr, "annReachability(handle, maxKeys)");
    return nullptr;
  }
  annreader::Reachability r;
  std::string error = annreader::reachability(*index, max_keys, &r);
  if (!error.empty()) return throw_coded(env, "ANN_CORRUPT", error);
  napi_value keys = float64_array_of(env, r.keys), members, unreached, out;
  napi_create_double(env, (double)r.members, &members);
  napi_create_double(env, (double)r.unreached, &unreached);
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "members", members);
  napi_set_named_property(env, out, "unreached", unreached);
  napi_set_named_property(env, out, "keys", keys);
  return out;
}

// annDots(query: Float32Array, vectors: Float32Array[]): Float64Array — each vector's dot product with the query,
// the value vectors.ts dot() gives bit for bit: over the shorter length, each float product taken in double (exact:
// 24-bit significands), summed in order in double. A fused multiply-add gives the same sum, the product being exact.
// Recall re-scores its candidates with these; in a fresh process the same loop in JavaScript runs in the interpreter,
// boxing every double (~1 ms and a scavenge for 25 vectors of 384: docs/performance.md "Start-up").
napi_value ann_dots(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2] = {nullptr, nullptr};
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const char* usage = "annDots(query: Float32Array, vectors: Float32Array[])";
  const float* q = nullptr;
  size_t q_len = 0;
  uint32_t count = 0;
  bool is_array = false;
  if (argc < 2 || !float32_of(env, argv[0], &q, &q_len) || napi_is_array(env, argv[1], &is_array) != napi_ok ||
      !is_array || napi_get_array_length(env, argv[1], &count) != napi_ok) {
    napi_throw_type_error(env, nullptr, usage);
    return nullptr;
  }
  void* out_data = nullptr;
  napi_value out_buffer, out;
  napi_create_arraybuffer(env, count * sizeof(double), &out_data, &out_buffer);
  double* sums = static_cast<double*>(out_data);
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    const float* v = nullptr;
    size_t v_len = 0;
    if (napi_get_element(env, argv[1], i, &element) != napi_ok || !float32_of(env, element, &v, &v_len)) {
      napi_throw_type_error(env, nullptr, usage);
      return nullptr;
    }
    double s = 0;
    for (size_t j = 0, n = std::min(q_len, v_len); j < n; j++) s += (double)q[j] * (double)v[j];
    sums[i] = s;
  }
  napi_create_typedarray(env, napi_float64_array, count, out_buffer, 0, &out);
  return out;
}

napi_value ann_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {nullptr};
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  bool tagged = false;
  if (argc == 1 && napi_check_object_type_tag(env, argv[0], &kIndexTag, &tagged) == napi_ok && tagged &&
      napi_get_value_external(env, argv[0], &data) == napi_ok) {
    auto* h = static_cast<IndexHandle*>(data);
    delete h->index;
    h->index = nullptr;
  }
  return nullptr;
}

}  // namespace

namespace annreader {

void define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"annOpen", nullptr, ann_open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annSize", nullptr, ann_size, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annSearch", nullptr, ann_search, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annContains", nullptr, ann_contains, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annReachability", nullptr, ann_reachability, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annDots", nullptr, ann_dots, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"annClose", nullptr, ann_close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
}

}  // namespace annreader

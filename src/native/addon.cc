// The N-API surface of the native embedder (docs/embeddings.md, "The runtime"), used by native-model.ts:
//   load(shardPaths: string[], spec: Float64Array) → Promise<model>   spec: [byte offset, value count] per tensor
//   embedTexts(model, tokenizer, texts: string[]) → Promise<Float32Array>   texts.length × dims floats; texts
//                    NFKC-normalized, tokenized and embedded in the async work, so the main thread does not tokenize
//   tokenizer(pieces: string[], scores: Float64Array) → tokenizer   the vocabulary (vocab.json)
//   tokenize(tokenizer, text) → Int32Array   the same ids, synchronously (the probe and the tests)
//   release(model)   frees the weights once no embed is running on them
//   isa() → the GEMM kernel this CPU gets ("avx512f", "avx2", "generic")
//   annOpen, annSize, annSearch, annContains, annClose, annDots: the read-only index reader (ann-addon.cc)
// Loading and embedding run as napi async work on libuv's thread pool: no second V8 isolate, the event loop free.
#include <node_api.h>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include "ann-addon.h"
#include "gemm.h"
#include "model.h"
#include "tokenizer.h"

using uselite::Model;
using uselite::Tokenizer;

namespace {

void release_ref(Model* m) {
  if (m && m->refs.fetch_sub(1) == 1) delete m;
}

napi_value error_value(napi_env env, const std::string& message) {
  napi_value msg, err;
  napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
  napi_create_error(env, nullptr, msg, &err);
  return err;
}

napi_value throw_type(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// One async job: `run` on a pool thread, then `settle` on the main thread resolves or rejects the promise.
struct Job {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  std::string error;
  virtual ~Job() = default;
  virtual void run() = 0;
  virtual napi_value result(napi_env env) = 0;
};

void execute(napi_env, void* data) { static_cast<Job*>(data)->run(); }

void complete(napi_env env, napi_status, void* data) {
  Job* job = static_cast<Job*>(data);
  if (job->error.empty()) napi_resolve_deferred(env, job->deferred, job->result(env));
  else napi_reject_deferred(env, job->deferred, error_value(env, job->error));
  napi_delete_async_work(env, job->work);
  delete job;
}

napi_value queue(napi_env env, Job* job, const char* name) {
  napi_value promise, resource;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
  napi_create_async_work(env, nullptr, resource, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}


// A model handle's own reference, dropped by release() or by the garbage collector, whichever comes first.
struct Handle {
  Model* model;
};

// Tags telling a model handle from a tokenizer handle (and from any other external).
const napi_type_tag kModelTag = {0x7072676e79756d6cULL, 0x6d6f64656c000001ULL};
const napi_type_tag kTokenizerTag = {0x7072676e79756d6cULL, 0x746f6b656e000001ULL};

struct TokenizerHandle {
  std::shared_ptr<const Tokenizer> tokenizer;  // shared with the jobs using it, so a collected handle is harmless
};

void finalize_handle(napi_env, void* data, void*) {
  Handle* h = static_cast<Handle*>(data);
  release_ref(h->model);
  delete h;
}

struct LoadJob : Job {
  std::vector<std::string> paths;
  std::vector<double> spec;
  Model* model = nullptr;
  void run() override {
    uselite::Shards shards;
    error = shards.open(paths);
    if (!error.empty()) return;
    model = new Model();
    error = uselite::build_model(shards, spec.data(), model);
    if (!error.empty()) { delete model; model = nullptr; }
  }
  napi_value result(napi_env env) override {
    napi_value handle;
    napi_create_external(env, new Handle{model}, finalize_handle, nullptr, &handle);
    napi_type_tag_object(env, handle, &kModelTag);
    return handle;
  }
  ~LoadJob() override {}
};

struct EmbedJob : Job {
  Model* model;
  std::vector<int32_t> ids, lengths;
  std::vector<float> out;
  std::shared_ptr<const Tokenizer> tokenizer;
  std::vector<std::u16string> texts;
  void run() override {
    for (const auto& t : texts) {
      std::vector<int32_t> row = tokenizer->encode(t);
      ids.insert(ids.end(), row.begin(), row.end());
      lengths.push_back((int32_t)row.size());
    }
    out.assign(lengths.size() * (size_t)model->dims, 0.0f);
    error = uselite::forward(*model, ids.data(), lengths.data(), (int)lengths.size(), out.data());
  }
  napi_value result(napi_env env) override {
    void* data;
    napi_value buffer, array;
    napi_create_arraybuffer(env, out.size() * sizeof(float), &data, &buffer);
    std::memcpy(data, out.data(), out.size() * sizeof(float));
    napi_create_typedarray(env, napi_float32_array, out.size(), buffer, 0, &array);
    return array;
  }
  ~EmbedJob() override { release_ref(model); }
};

bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset);
  return type == want;
}

void* external_of(napi_env env, napi_value v, const napi_type_tag* tag) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  bool tagged = false;
  if (t != napi_external || napi_check_object_type_tag(env, v, tag, &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  napi_get_value_external(env, v, &data);
  return data;
}

Handle* handle_of(napi_env env, napi_value v) { return static_cast<Handle*>(external_of(env, v, &kModelTag)); }

const Tokenizer* tokenizer_of(napi_env env, napi_value v, std::shared_ptr<const Tokenizer>* keep = nullptr) {
  auto* h = static_cast<TokenizerHandle*>(external_of(env, v, &kTokenizerTag));
  if (h && keep) *keep = h->tokenizer;
  return h ? h->tokenizer.get() : nullptr;
}

bool utf16_of(napi_env env, napi_value v, std::u16string* out) {
  size_t len;
  if (napi_get_value_string_utf16(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->assign(len, u'\0');
  return napi_get_value_string_utf16(env, v, &(*out)[0], len + 1, &len) == napi_ok;
}

napi_value load(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool is_array = false;
  if (argc < 2 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array)
    return throw_type(env, "load(shardPaths, spec)");
  void* spec;
  size_t spec_len;
  if (!typed(env, argv[1], napi_float64_array, &spec, &spec_len) || spec_len != 2 * uselite::kTensorCount)
    return throw_type(env, "spec: a Float64Array of [offset, count] per tensor");
  LoadJob* job = new LoadJob();
  uint32_t n;
  napi_get_array_length(env, argv[0], &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    napi_get_element(env, argv[0], i, &el);
    size_t len;
    if (napi_get_value_string_utf8(env, el, nullptr, 0, &len) != napi_ok) {
      delete job;
      return throw_type(env, "shardPaths: strings");
    }
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, el, &s[0], len + 1, &len);
    job->paths.push_back(s);
  }
  job->spec.assign(static_cast<double*>(spec), static_cast<double*>(spec) + spec_len);
  return queue(env, job, "progeny.uselite.load");
}

napi_value embed_texts(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Handle* h = argc == 3 ? handle_of(env, argv[0]) : nullptr;
  std::shared_ptr<const Tokenizer> tokenizer;
  bool is_array = false;
  if (!h || !tokenizer_of(env, argv[1], &tokenizer) || napi_is_array(env, argv[2], &is_array) != napi_ok || !is_array)
    return throw_type(env, "embedTexts(model, tokenizer, texts)");
  if (!h->model) return throw_type(env, "the model was released");
  uint32_t n;
  napi_get_array_length(env, argv[2], &n);
  std::vector<std::u16string> texts(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    napi_get_element(env, argv[2], i, &el);
    if (!utf16_of(env, el, &texts[i])) return throw_type(env, "texts: strings");
  }
  EmbedJob* job = new EmbedJob();
  job->model = h->model;
  h->model->refs.fetch_add(1);
  job->tokenizer = std::move(tokenizer);
  job->texts = std::move(texts);
  return queue(env, job, "progeny.uselite.embed");
}

void finalize_tokenizer(napi_env, void* data, void*) { delete static_cast<TokenizerHandle*>(data); }

napi_value make_tokenizer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool is_array = false;
  void* scores;
  size_t nscores;
  uint32_t n = 0;
  if (argc < 2 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array ||
      !typed(env, argv[1], napi_float64_array, &scores, &nscores) || napi_get_array_length(env, argv[0], &n) != napi_ok ||
      nscores != n)
    return throw_type(env, "tokenizer(pieces, scores): as many scores (Float64Array) as pieces");
  std::vector<std::u16string> pieces(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    napi_get_element(env, argv[0], i, &el);
    if (!utf16_of(env, el, &pieces[i])) return throw_type(env, "pieces: strings");
  }
  std::vector<double> s(static_cast<double*>(scores), static_cast<double*>(scores) + n);
  // The library's tokenizer leaves out the first six ids (�, <s>, </s> and three extra tokens).
  auto* h = new TokenizerHandle{std::make_shared<const Tokenizer>(pieces, s, 6)};
  napi_value handle;
  napi_create_external(env, h, finalize_tokenizer, nullptr, &handle);
  napi_type_tag_object(env, handle, &kTokenizerTag);
  return handle;
}

napi_value tokenize(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const Tokenizer* t = argc == 2 ? tokenizer_of(env, argv[0]) : nullptr;
  std::u16string text;
  if (!t || !utf16_of(env, argv[1], &text)) return throw_type(env, "tokenize(tokenizer, text)");
  std::vector<int32_t> ids = t->encode(text);
  void* data;
  napi_value buffer, array;
  napi_create_arraybuffer(env, ids.size() * sizeof(int32_t), &data, &buffer);
  if (!ids.empty()) std::memcpy(data, ids.data(), ids.size() * sizeof(int32_t));
  napi_create_typedarray(env, napi_int32_array, ids.size(), buffer, 0, &array);
  return array;
}

napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Handle* h = argc == 1 ? handle_of(env, argv[0]) : nullptr;
  if (h && h->model) {
    release_ref(h->model);
    h->model = nullptr;
  }
  return nullptr;
}

napi_value isa(napi_env env, napi_callback_info) {
  napi_value s;
  napi_create_string_utf8(env, uselite::gemm_isa(), NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"load", nullptr, load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"embedTexts", nullptr, embed_texts, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tokenizer", nullptr, make_tokenizer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tokenize", nullptr, tokenize, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"release", nullptr, release, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, isa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
  annreader::define(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return init(env, exports); }

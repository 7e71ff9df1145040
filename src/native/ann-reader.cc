// The read-only reader of usearch's index file (ann-reader.h): open maps the file and checks its sizes (the only
// per-node work is one pass over the i16 levels, 2 bytes a node), search walks the graph the way usearch's
// index_gt::search does (greedy descent over the upper levels from the entry point, then a beam of `expansion` at
// the base), touching only the pages of the nodes and vectors it visits.
#include "ann-reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <queue>

namespace annreader {

namespace {

constexpr size_t kMatrixHead = 8, kDenseHead = 64, kGraphHead = 40, kNodeHead = 10;
constexpr uint8_t kMetricCos = 'c', kScalarI8 = 23, kScalarU64 = 14, kScalarU32 = 15;
constexpr uint32_t kMaxDims = 65536;         // int32 sums of 127² products stay exact below ~133k dimensions
constexpr uint32_t kMaxConnectivity = 4096;  // far above any graph progeny builds (docs/performance.md)
constexpr int kMaxLevel = 64;                // levels are drawn with probability 1/M each: 64 is never reached

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

Status fail(Status s, std::string* error, const char* message) {
  *error = message;
  return s;
}

struct Candidate {
  double distance;
  uint32_t slot;
};

// The query cast to int8 as usearch casts it (index_plugins.hpp cast_to_i8_gt): scaled by 127 over its magnitude,
// clamped, truncated toward zero. A zero, infinite or NaN magnitude gives the zero vector, as there.
std::vector<int8_t> cast_query(const float* q, uint32_t dims) {
  std::vector<int8_t> out(dims, 0);
  double magnitude = 0;
  for (uint32_t i = 0; i < dims; i++) magnitude += (double)q[i] * (double)q[i];
  magnitude = std::sqrt(magnitude);
  if (!(magnitude > 0) || !std::isfinite(magnitude)) return out;
  for (uint32_t i = 0; i < dims; i++)
    out[i] = (int8_t)std::min(127.0, std::max(-127.0, q[i] * 127.0 / magnitude));
  return out;
}

// Cosine distance between two int8 vectors: exact integer sums, then one correctly rounded square root and division
// in double. numkong's kernel (which usearch uses) takes an approximate reciprocal square root refined once, good to
// about 1e-7 relative, so near-ties may order differently; this is the exact value of the same formula.
// The integer sums, compiled for AVX-512 and AVX2 as well where the compiler can pick a clone at load time (the
// baseline x86-64 build only has SSE2, which widens int8 slowly): about 3× faster on this loop.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void sums(const int8_t* q, const int8_t* v, uint32_t dims, int32_t* ab_out, int32_t* v2_out) {
  int32_t ab = 0, v2 = 0;
  for (uint32_t i = 0; i < dims; i++) {
    int32_t a = q[i], b = v[i];
    ab += a * b;
    v2 += b * b;
  }
  *ab_out = ab;
  *v2_out = v2;
}

struct Metric {
  const int8_t* q;
  int64_t q2;
  uint32_t dims;
  double operator()(const int8_t* v) const {
    int32_t ab, v2;
    sums(q, v, dims, &ab, &v2);
    if (q2 == 0 && v2 == 0) return 0;
    if (ab == 0) return 1;
    return 1.0 - (double)ab / std::sqrt((double)q2 * (double)v2);
  }
};

size_t node_bytes(const Index& x, int level) {
  return kNodeHead + (4 + 4 * (size_t)x.connectivity_base) + (4 + 4 * (size_t)x.connectivity) * (size_t)level;
}

int level_of(const Index& x, uint32_t slot) { return load<int16_t>(x.levels + 2 * (size_t)slot); }

uint64_t node_offset(const Index& x, uint32_t slot) {
  uint64_t offset = x.block_offsets[slot / kBlock];
  for (uint32_t j = slot - slot % kBlock; j < slot; j++) offset += node_bytes(x, level_of(x, j));
  return offset;
}

// A node's neighbour list at `level`: its slots, or "" → an error when the file contradicts itself.
struct Neighbours {
  const uint8_t* slots = nullptr;
  uint32_t size = 0;
};

std::string neighbours(const Index& x, uint32_t slot, int level, Neighbours* out) {
  int node_level = level_of(x, slot);
  if (level > node_level) return "a neighbour list points to a node below its level";
  const uint8_t* node = x.map + node_offset(x, slot);
  if (load<int16_t>(node + 8) != node_level) return "a node's level differs from the levels table";
  const uint8_t* list = node + kNodeHead;
  uint32_t capacity = x.connectivity_base;
  if (level > 0) {
    list += 4 + 4 * (size_t)x.connectivity_base + (4 + 4 * (size_t)x.connectivity) * (size_t)(level - 1);
    capacity = x.connectivity;
  }
  out->size = load<uint32_t>(list);
  out->slots = list + 4;
  if (out->size > capacity) return "a neighbour count exceeds the graph's connectivity";
  return "";
}

const int8_t* vector_of(const Index& x, uint32_t slot) { return x.vectors + (size_t)slot * x.dims; }
uint64_t key_of(const Index& x, uint32_t slot) { return load<uint64_t>(x.map + node_offset(x, slot)); }

}  // namespace

Index::~Index() {
  if (mapped) munmap(const_cast<uint8_t*>(map), bytes);
}

Status parse(const uint8_t* map, size_t bytes, uint32_t dims, Index* x, std::string* error) {
  if (dims == 0 || dims > kMaxDims) return fail(Status::kUnsupported, error, "unsupported dimension");
  if (bytes < kMatrixHead) return fail(Status::kCorrupt, error, "the file is shorter than its header");
  uint64_t rows = load<uint32_t>(map), cols = load<uint32_t>(map + 4);
  if (cols != dims) return fail(Status::kUnsupported, error, "the vectors have another dimension");
  uint64_t head = kMatrixHead + rows * cols;  // < 2^32 · 2^16 + 8: no overflow
  if (head > bytes || bytes - head < kDenseHead + kGraphHead)
    return fail(Status::kCorrupt, error, "the file is shorter than its vectors and headers");
  const uint8_t* h = map + head;
  if (std::memcmp(h, "usearch", 7) != 0) return fail(Status::kCorrupt, error, "no usearch header after the vectors");
  uint16_t major = load<uint16_t>(h + 7), minor = load<uint16_t>(h + 9);
  if (major != 2 || minor < 10) return fail(Status::kUnsupported, error, "a usearch file version this reader does not know");
  if (h[13] != kMetricCos || h[14] != kScalarI8 || h[15] != kScalarU64 || h[16] != kScalarU32 || h[41] != 0)
    return fail(Status::kUnsupported, error, "not a cosine int8 index with u64 keys and u32 slots");
  uint64_t present = load<uint64_t>(h + 17), deleted = load<uint64_t>(h + 25), hdims = load<uint64_t>(h + 33);
  if (hdims != dims) return fail(Status::kUnsupported, error, "the header has another dimension");
  if (present > rows || deleted != rows - present) return fail(Status::kCorrupt, error, "inconsistent counts");
  const uint8_t* g = h + kDenseHead;
  uint64_t size = load<uint64_t>(g), m = load<uint64_t>(g + 8), m0 = load<uint64_t>(g + 16);
  uint64_t max_level = load<uint64_t>(g + 24), entry = load<uint64_t>(g + 32);
  if (size != rows) return fail(Status::kCorrupt, error, "the graph and the vectors count different nodes");
  if (m < 2 || m0 < m || m0 > kMaxConnectivity) return fail(Status::kCorrupt, error, "invalid connectivity");
  if (rows && (max_level > kMaxLevel || entry >= rows)) return fail(Status::kCorrupt, error, "invalid entry point");
  x->count = rows;
  x->present = present;
  x->dims = dims;
  x->vectors = reinterpret_cast<const int8_t*>(map + kMatrixHead);
  x->connectivity = (uint32_t)m;
  x->connectivity_base = (uint32_t)m0;
  x->max_level = (int)max_level;
  x->entry = (uint32_t)entry;
  uint64_t levels_at = head + kDenseHead + kGraphHead;
  if (bytes - levels_at < 2 * rows) return fail(Status::kCorrupt, error, "the file is shorter than its levels");
  x->levels = map + levels_at;
  x->nodes_at = levels_at + 2 * rows;
  x->block_offsets.resize((rows + kBlock - 1) / kBlock);
  uint64_t offset = x->nodes_at;
  for (uint64_t i = 0; i < rows; i++) {
    if (i % kBlock == 0) x->block_offsets[i / kBlock] = offset;
    int level = load<int16_t>(x->levels + 2 * i);
    if (level < 0 || level > (int)max_level) return fail(Status::kCorrupt, error, "a node level is out of range");
    offset += node_bytes(*x, level);  // ≤ rows · (10 + 2 · 4 · 4097 · 65): no overflow
  }
  if (offset != bytes) return fail(Status::kCorrupt, error, "the nodes do not end where the file does");
  if (rows && level_of(*x, x->entry) != x->max_level)
    return fail(Status::kCorrupt, error, "the entry point is not on the top level");
  x->map = map;
  x->bytes = bytes;
  return Status::kOk;
}

Status open(const std::string& path, uint32_t dims, Index* out, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Status::kIo, error, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0) {
    ::close(fd);
    return fail(Status::kCorrupt, error, "the file is empty");
  }
  // Saved atomically (a new file renamed over the old), so the mapped file never shrinks under the reader.
  void* map = mmap(nullptr, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return fail(Status::kIo, error, std::strerror(errno));
  Status s = parse(static_cast<const uint8_t*>(map), (size_t)st.st_size, dims, out, error);
  if (s != Status::kOk) munmap(map, (size_t)st.st_size);
  else out->mapped = true;
  return s;
}

namespace {

// Greedy descent: from the entry point, move to any closer neighbour until none is, level by level down to 1.
std::string descend(const Index& x, const Metric& distance, Candidate* closest) {
  Neighbours list;
  std::string error;
  *closest = {distance(vector_of(x, x.entry)), x.entry};
  for (int level = x.max_level; level > 0; level--) {
    for (bool changed = true; changed;) {
      changed = false;
      if (!(error = neighbours(x, closest->slot, level, &list)).empty()) return error;
      for (uint32_t i = 0; i < list.size; i++) {
        uint32_t slot = load<uint32_t>(list.slots + 4 * (size_t)i);
        if (slot >= x.count) return "a neighbour slot is out of range";
        double d = distance(vector_of(x, slot));
        if (d < closest->distance) *closest = {d, slot}, changed = true;
      }
    }
  }
  return "";
}

// The nearest `limit` found so far, sorted: usearch's sorted_buffer_gt, whose insert drops what falls past the limit.
struct Top {
  size_t limit;
  std::vector<Candidate> items;
  void insert(Candidate c) {
    auto at = std::lower_bound(items.begin(), items.end(), c,
                               [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
    if ((size_t)(at - items.begin()) == limit) return;
    items.insert(at, c);
    if (items.size() > limit) items.pop_back();
  }
};

// Asks the CPU for the vectors of a neighbour list's unvisited members before any distance is computed, so that their
// cache misses overlap instead of following one another: a search in a process that has searched before takes
// 20–35% less time at 100k memories (docs/performance.md "The memory index between processes"). A prefetch never
// faults, so the first search of a process, whose time goes to mapping the pages, is not faster. Slots are checked
// against the count as the walk checks them.
void prefetch_unvisited(const Index& x, const Neighbours& list, const std::vector<uint64_t>& visited) {
  for (uint32_t i = 0; i < list.size; i++) {
    uint32_t slot = load<uint32_t>(list.slots + 4 * (size_t)i);
    if (slot >= x.count || (visited[slot / 64] >> (slot % 64) & 1)) continue;
    const char* v = reinterpret_cast<const char*>(vector_of(x, slot));
    for (uint32_t b = 0; b < x.dims; b += 64) __builtin_prefetch(v + b);
    // Keeps the loop: at -O2 GCC (-ffinite-loops) deletes a loop whose only effect is prefetching.
    __asm__ volatile("" ::: "memory");
  }
}

// The base level: a beam of the `top.limit` best found so far, explored nearest first.
std::string beam(const Index& x, const Metric& distance, Candidate start, Top* top) {
  auto farther = [](const Candidate& a, const Candidate& b) { return a.distance > b.distance; };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(farther)> next(farther);
  std::vector<uint64_t> visited((x.count + 63) / 64, 0);
  auto visit = [&](uint32_t s) {  // true if already visited
    uint64_t bit = uint64_t{1} << (s % 64);
    bool seen = visited[s / 64] & bit;
    visited[s / 64] |= bit;
    return seen;
  };
  // Removed members stay in the graph (walked through, never returned); without any, no key is read until the end,
  // which saves a cache miss per candidate.
  bool any_removed = x.present != x.count;
  auto returnable = [&](uint32_t slot) { return !any_removed || key_of(x, slot) != kFreeKey; };
  Neighbours list;
  std::string error;
  double radius = start.distance;
  next.push(start);
  visit(start.slot);
  if (returnable(start.slot)) top->items.push_back(start);
  while (!next.empty()) {
    Candidate c = next.top();
    if (c.distance > radius && top->items.size() == top->limit) break;
    next.pop();
    if (!(error = neighbours(x, c.slot, 0, &list)).empty()) return error;
    prefetch_unvisited(x, list, visited);
    for (uint32_t i = 0; i < list.size; i++) {
      uint32_t slot = load<uint32_t>(list.slots + 4 * (size_t)i);
      if (slot >= x.count) return "a neighbour slot is out of range";
      if (visit(slot)) continue;
      double d = distance(vector_of(x, slot));
      if (top->items.size() < top->limit || d < radius) {
        next.push({d, slot});
        if (returnable(slot)) {
          top->insert({d, slot});
          radius = top->items.back().distance;
        }
      }
    }
  }
  return "";
}

}  // namespace

std::string search(const Index& x, const float* query, size_t k, size_t expansion, std::vector<uint64_t>* keys) {
  keys->clear();
  if (!x.count || !k) return "";
  std::vector<int8_t> q = cast_query(query, x.dims);
  int64_t q2 = 0;
  for (int8_t v : q) q2 += (int32_t)v * v;
  Metric distance{q.data(), q2, x.dims};
  Candidate closest;
  std::string error = descend(x, distance, &closest);
  if (!error.empty()) return error;
  Top top{std::max(expansion, k), {}};
  top.items.reserve(top.limit + 1);
  if (!(error = beam(x, distance, closest, &top)).empty()) return error;
  for (size_t i = 0; i < top.items.size() && i < k; i++) keys->push_back(key_of(x, top.items[i].slot));
  return "";
}

// Findability is decided on the base level: a search only picks its starting node on the upper levels (a greedy
// descent from the entry point, level by level, along that level's lists) and collects results on level 0 alone,
// where every member has its node. So a member no search can return is one that the level-0 lists do not lead to from
// any node where the descent may end. Those nodes are walked level by level, as the descent does (from the entry
// point along level L's lists, then from all of those along level L-1's, ...): at level 0 the walk covers whatever a
// beam started anywhere the descent can end might reach. Removed members are walked through, as a search does.
std::string reachability(const Index& x, size_t max_keys, Reachability* out) {
  *out = Reachability{};
  out->members = x.present;
  if (!x.count) return "";
  std::vector<uint64_t> seen((x.count + 63) / 64, 0);
  std::vector<uint32_t> reached{x.entry};
  seen[x.entry / 64] |= uint64_t{1} << (x.entry % 64);
  Neighbours list;
  std::string error;
  for (int level = x.max_level; level >= 0; level--) {
    // Every node reached so far is on this level or above (neighbours() checks it): each is a start at this level.
    for (size_t i = 0; i < reached.size(); i++) {
      if (!(error = neighbours(x, reached[i], level, &list)).empty()) return error;
      for (uint32_t j = 0; j < list.size; j++) {
        uint32_t slot = load<uint32_t>(list.slots + 4 * (size_t)j);
        if (slot >= x.count) return "a neighbour slot is out of range";
        uint64_t bit = uint64_t{1} << (slot % 64);
        if (seen[slot / 64] & bit) continue;
        seen[slot / 64] |= bit;
        reached.push_back(slot);
      }
    }
  }
  for (uint64_t slot = 0; slot < x.count; slot++) {
    if (seen[slot / 64] & (uint64_t{1} << (slot % 64))) continue;
    uint64_t key = key_of(x, (uint32_t)slot);
    if (key == kFreeKey) continue;
    out->unreached++;
    if (out->keys.size() < max_keys) out->keys.push_back(key);
  }
  return "";
}

bool contains(const Index& x, uint64_t key) {
  if (key == kFreeKey) return false;
  for (uint64_t i = 0; i < x.count; i++)
    if (key_of(x, (uint32_t)i) == key) return true;
  return false;
}

}  // namespace annreader

// A read-only reader of the HNSW index file usearch saves (docs/performance.md, "The memory index between
// processes"), so that a process that only searches opens it in constant time: usearch's own `view` walks every node
// (an offset per node and a hash of every key), ~9 ms at 100k memories and ~70 ms at 1M. Only the layout progeny
// writes is accepted (usearch 2.10+, cosine metric, int8 scalars, u64 keys, u32 slots, no multi-keys); anything else
// is a reason for the caller to fall back to usearch. The file, after usearch's save_to_stream (index_dense.hpp,
// index.hpp):
//   u32 rows, u32 bytes per vector | rows × int8 vectors | 64-byte head ("usearch", version, kinds, counts, dims)
//   | 40-byte graph header (u64 size, connectivity, base connectivity, max level, entry slot) | rows × i16 levels
//   | nodes: u64 key, i16 level, then per level 0..level a u32 neighbour count and its u32 slots (base: M0 slots,
//     upper levels: M slots).
// Nothing read from the file is trusted: sizes are checked against the file at open, and a neighbour count or slot out
// of range found during a search ends that search with an error, never a read outside the mapping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace annreader {

// Why a file was not opened: kUnsupported (a layout this reader does not know: usearch may) or kCorrupt.
enum class Status { kOk, kUnsupported, kCorrupt, kIo };

struct Index {
  const uint8_t* map = nullptr;
  size_t bytes = 0;
  uint64_t count = 0;    // nodes, removed ones included
  uint64_t present = 0;  // nodes whose key is not the free key
  uint32_t dims = 0;
  const int8_t* vectors = nullptr;
  const uint8_t* levels = nullptr;  // count × i16, unaligned
  uint64_t nodes_at = 0;            // byte offset of node 0
  uint32_t connectivity = 0, connectivity_base = 0;
  int max_level = 0;
  uint32_t entry = 0;
  // The byte offset of every kBlock-th node; a node's offset adds the sizes of the nodes before it in its block.
  std::vector<uint64_t> block_offsets;
  bool mapped = false;  // open() mapped `map` (unmapped with the index); parse() of a caller's image leaves it
  ~Index();
};

constexpr uint32_t kBlock = 32;
constexpr uint64_t kFreeKey = ~uint64_t{0};  // usearch's key for a removed member

// Maps `path` and checks it describes a `dims`-dimensional index of the supported layout; on failure, `error` says why.
Status open(const std::string& path, uint32_t dims, Index* out, std::string* error);

// Checks a mapped image (the tests corrupt images in memory); open() calls it.
Status parse(const uint8_t* map, size_t bytes, uint32_t dims, Index* out, std::string* error);

// The k nearest keys to `query` (dims floats), nearest first, searching with a beam of `expansion`; "" or what is
// wrong with the file.
std::string search(const Index& index, const float* query, size_t k, size_t expansion, std::vector<uint64_t>* keys);

// Whether a node holds `key` (a scan of every node: only for rare calls).
bool contains(const Index& index, uint64_t key);

// The members (nodes not removed) that no search can reach from the entry point: usearch's concurrent add can leave
// such nodes (docs/performance.md, "Memories no search reaches"). `unreached` counts them; `keys` holds the first
// `max_keys` of their keys. Visits every node's neighbour lists once (doctor's check, never a search's path).
struct Reachability {
  uint64_t members = 0;
  uint64_t unreached = 0;
  std::vector<uint64_t> keys;
};
// "" or what is wrong with the file (a neighbour count or slot out of range), as search() reports it.
std::string reachability(const Index& index, size_t max_keys, Reachability* out);

}  // namespace annreader

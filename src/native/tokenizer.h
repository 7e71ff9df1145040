// The sentence-piece tokenizer of Universal Sentence Encoder lite, run inside the addon's async work so that the
// main thread only normalizes (NFKC) and hands the texts over (docs/embeddings.md, "The runtime"). It gives exactly
// the ids of src/core/memory/embedder-tokenizer.cjs (the WebAssembly runtime's, itself identical to
// @energetic-ai/embeddings 0.2.0's; a test compares them): the text is split into code points (a lone surrogate is
// a symbol of its own), the best path prefers the later of equal scores and treats a best score of exactly 0 as
// unset, a character no piece starts with is id 0 and runs of them merge, and the way back steps by each piece's
// length in UTF-16 units, as the library does.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace uselite {

class Tokenizer {
 public:
  // pieces[id] in UTF-16 and its score; the first `reserved` ids are not matched (the library leaves them out).
  Tokenizer(const std::vector<std::u16string>& pieces, const std::vector<double>& scores, int reserved);
  // An NFKC-normalized text → its token ids.
  std::vector<int32_t> encode(const std::u16string& text) const;

 private:
  int32_t child(int32_t node, uint32_t symbol) const;
  std::unordered_map<uint64_t, int32_t> edges_;  // (node << 32 | symbol) → child node
  std::vector<int32_t> id_;                      // per node: the piece ending there, or -1
  std::vector<double> score_;
  std::vector<uint8_t> length_;  // per id: the piece's UTF-16 length, at most 255
};

}  // namespace uselite

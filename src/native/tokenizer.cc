// See tokenizer.h; the JavaScript it mirrors step by step is src/core/memory/embedder-tokenizer.cjs.
#include "tokenizer.h"
#include <algorithm>

namespace uselite {

namespace {

constexpr char16_t kSeparator = 0x2581;

// Code points as JavaScript's Array.from(string) yields them: a surrogate pair is one, a lone surrogate its unit.
std::vector<uint32_t> symbols_of(const std::u16string& s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      i++;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Tokenizer::Tokenizer(const std::vector<std::u16string>& pieces, const std::vector<double>& scores, int reserved) {
  id_.push_back(-1);
  score_.push_back(0);
  for (const auto& p : pieces) length_.push_back((uint8_t)std::min<size_t>(p.size(), 255));
  for (size_t id = reserved; id < pieces.size(); id++) {
    int32_t node = 0;
    for (uint32_t symbol : symbols_of(pieces[id])) {
      uint64_t key = ((uint64_t)node << 32) | symbol;
      auto it = edges_.find(key);
      if (it == edges_.end()) {
        it = edges_.emplace(key, (int32_t)id_.size()).first;
        id_.push_back(-1);
        score_.push_back(0);
      }
      node = it->second;
    }
    // A piece listed twice keeps its last id and score; the empty piece matches nothing.
    if (node != 0) {
      id_[node] = (int32_t)id;
      score_[node] = scores[id];
    }
  }
}

int32_t Tokenizer::child(int32_t node, uint32_t symbol) const {
  auto it = edges_.find(((uint64_t)node << 32) | symbol);
  return it == edges_.end() ? -1 : it->second;
}

std::vector<int32_t> Tokenizer::encode(const std::u16string& text) const {
  if (text.empty()) return {};
  std::u16string input(1, kSeparator);
  for (char16_t c : text) input.push_back(c == u' ' ? kSeparator : c);
  const std::vector<uint32_t> symbols = symbols_of(input);
  const int n = (int)symbols.size();
  // The JavaScript collects every candidate by its end and then scores each end's candidates in increasing start
  // order; scoring them as they are found, start by start, applies the same updates in the same order, since every
  // candidate ending at a start was found (from an earlier start) before that start is reached.
  std::vector<double> best(n + 1, 0.0);
  std::vector<int32_t> words(n + 1, 0);
  auto offer = [&](int end, int32_t id, double score) {
    if (best[end] == 0 || score >= best[end]) {
      best[end] = score;
      words[end] = id;
    }
  };
  for (int i = 0; i < n; i++) {
    bool found = false;
    int32_t node = child(0, symbols[i]);
    for (int j = i; j < n && node >= 0; j++) {
      if (id_[node] >= 0) {
        offer(j + 1, id_[node], score_[node] + best[i]);
        found = true;
      }
      node = j + 1 < n ? child(node, symbols[j + 1]) : -1;
    }
    if (!found) offer(i + 1, 0, 0 + best[i]);
  }
  std::vector<int32_t> backwards;
  for (int at = n; at > 0; at -= length_[words[at]]) backwards.push_back(words[at]);
  std::vector<int32_t> merged;
  merged.reserve(backwards.size());
  bool previous_unknown = false;
  for (int32_t id : backwards) {
    if (!(previous_unknown && id == 0)) merged.push_back(id);
    previous_unknown = id == 0;
  }
  std::reverse(merged.begin(), merged.end());
  return merged;
}

}  // namespace uselite

// The index reader (src/native/ann-reader.cc) on randomly damaged copies of a saved index, built with
// AddressSanitizer and UBSan by scripts/fuzz-ann-reader.mjs: each copy is an exact-size heap block, so any read past
// what parse() accepted is reported, not just a crash. Prints how many copies were refused, searched, or reported
// damaged by a search or by the reachability walk; the sanitizers end the process on the first fault.
//   ann-reader-fuzz FILE DIMS ITERATIONS SEED
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <vector>

#include "../src/native/ann-reader.h"

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> good((std::istreambuf_iterator<char>(in)), {});
  uint32_t dims = (uint32_t)atoi(argv[2]);
  long iterations = atol(argv[3]);
  std::mt19937_64 r((uint64_t)atoll(argv[4]));
  long refused = 0, damaged = 0, searched = 0;
  std::vector<float> q(dims);
  for (long it = 0; it < iterations; it++) {
    size_t len = r() % 10 == 0 ? r() % good.size() : good.size();  // a tenth truncated
    std::unique_ptr<uint8_t[]> image(new uint8_t[len ? len : 1]);
    std::memcpy(image.get(), good.data(), len);
    for (int flips = 1 + (int)(r() % 6); flips > 0 && len; flips--) image[r() % len] ^= (uint8_t)(1 + r() % 255);
    annreader::Index index;
    std::string error;
    if (annreader::parse(image.get(), len, dims, &index, &error) != annreader::Status::kOk) {
      refused++;
      continue;
    }
    bool bad = false;
    for (int s = 0; s < 4; s++) {
      for (float& v : q) v = (float)((int)(r() % 2001) - 1000);
      std::vector<uint64_t> keys;
      if (!annreader::search(index, q.data(), 1 + r() % 20, 1 + r() % 200, &keys).empty()) bad = true;
      annreader::contains(index, r());
    }
    annreader::Reachability reach;
    if (!annreader::reachability(index, 1 + r() % 8, &reach).empty()) bad = true;
    else if (reach.unreached > reach.members || reach.keys.size() > 8) return 3;
    bad ? damaged++ : searched++;
  }
  std::printf("{\"refused\":%ld,\"searched\":%ld,\"damaged\":%ld}\n", refused, searched, damaged);
  return 0;
}

// A main() for fuzz targets built without libFuzzer (g++, or the normal test build): it replays
// every file in the directories (or files) named on the command line through
// LLVMFuzzerTestOneInput, so CTest checks each corpus. Missing paths are an error, so a corpus
// that silently vanished cannot pass.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (!entry.is_regular_file()) continue;
        failures += RunFile(entry.path());
        ++count;
      }
    } else if (std::filesystem::is_regular_file(arg)) {
      failures += RunFile(arg);
      ++count;
    } else if (arg.filename() != arg.parent_path().filename()) {
      std::fprintf(stderr, "replay: no such corpus: %s\n", argv[i]);
      ++failures;
    }
  }
  // The empty input is always part of the corpus.
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("replayed %zu inputs\n", count + 1);
  return failures == 0 ? 0 : 1;
}

#include "bench/fixtures.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/check.h"

#ifdef CRENEAU_TCMALLOC
#include "gperftools/malloc_extension.h"
#endif

namespace creneau::bench {

absl::StatusOr<std::shared_ptr<const CommuneTable>> LoadCommuneFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<CommuneTable> table = CommuneTable::FromCsv(text.str());
  if (!table.ok()) return table.status();
  return std::make_shared<const CommuneTable>(*std::move(table));
}

std::shared_ptr<const CommuneTable> ShippedCommunes() {
  static const auto* table = [] {
    const char* dir = std::getenv("CRENEAU_DATA_DIR");
    const std::string path =
        std::string(dir ? dir : CRENEAU_SOURCE_DATA_DIR) + "/communes.csv";
    auto loaded = LoadCommuneFile(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(),
                   loaded.status().ToString().c_str());
      std::abort();
    }
    return new std::shared_ptr<const CommuneTable>(*std::move(loaded));
  }();
  return *table;
}

absl::Time FixtureStart() {
  return absl::FromCivil(absl::CivilHour(2026, 11, 23, 8), absl::UTCTimeZone());
}

const tools::Territory& NationalTerritory(size_t slots) {
  static auto* cache = new std::map<size_t, tools::Territory>;
  auto it = cache->find(slots);
  if (it != cache->end()) return it->second;
  // Synthetic France at scale 1 holds about 4.1 million slots over 14 days.
  constexpr double kSlotsAtScaleOne = 4.1e6;
  std::vector<const Commune*> communes;
  for (const Commune& c : ShippedCommunes()->communes()) {
    if (c.population > 0) communes.push_back(&c);
  }
  tools::TerritoryOptions options;
  options.seed = 1;
  options.scale = static_cast<double>(slots) / kSlotsAtScaleOne;
  options.start = FixtureStart();
  options.days = 14;
  absl::StatusOr<tools::Territory> territory =
      tools::GenerateTerritory(communes, options);
  CRENEAU_CHECK(territory.ok());
  return cache->emplace(slots, *std::move(territory)).first->second;
}

size_t HeapBytesInUse() {
#ifdef CRENEAU_TCMALLOC
  size_t bytes = 0;
  CRENEAU_CHECK(MallocExtension::instance()->GetNumericProperty(
      "generic.current_allocated_bytes", &bytes));
  return bytes;
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

}  // namespace creneau::bench

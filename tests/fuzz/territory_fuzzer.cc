// Fuzz target: territory requests (CreateTerritory, UpdateTerritory) mapped
// against France's communes, then applied by the engine. The first byte
// picks the request, the rest is parsed as it. Mapping answers with a
// status naming a field or a territory; the engine stores it as given, of
// communes that exist only, or refuses it without breaking an invariant.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/check.h"
#include "engine/engine.h"
#include "server/from_proto.h"

namespace {

namespace v1 = ::creneau::v1;

constexpr int kInputsPerEngine = 500;  // Bounds the engine's growth.

const creneau::Caller& Admin() {
  static const creneau::Caller admin{.name = "fuzz-admin",
                                     .visibilities = 0xff,
                                     .organisation = "ops",
                                     .scope = {.national = true},
                                     .administrator = true};
  return admin;
}

std::shared_ptr<const creneau::CommuneTable> Communes() {
  static const auto communes = [] {
    std::ifstream in(CRENEAU_SOURCE_DATA_DIR "/communes.csv");
    std::stringstream text;
    text << in.rdbuf();
    auto table = creneau::CommuneTable::FromCsv(text.str());
    CRENEAU_CHECK(table.ok());
    return std::make_shared<const creneau::CommuneTable>(*std::move(table));
  }();
  return communes;
}

creneau::Engine& FreshEngine(bool reset) {
  static std::unique_ptr<creneau::Engine> engine;
  if (engine == nullptr || reset) {
    engine = std::make_unique<creneau::Engine>(Communes());
  }
  return *engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int inputs = 0;
  if (size < 1) return 0;
  creneau::Engine& engine = FreshEngine(++inputs % kInputsPerEngine == 0);
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  const int body_size = static_cast<int>(size - 1);
  absl::StatusOr<creneau::Territory> territory;
  creneau::Engine::UpsertMode mode = creneau::Engine::UpsertMode::kCreate;
  if (data[0] % 2 == 0) {
    v1::CreateTerritoryRequest request;
    if (!request.ParseFromArray(data + 1, body_size)) return 0;
    territory = creneau::server::TerritoryFromRequest(request, *Communes());
  } else {
    v1::UpdateTerritoryRequest request;
    if (!request.ParseFromArray(data + 1, body_size)) return 0;
    const absl::StatusOr<creneau::Territory> current =
        engine.GetTerritory(request.territory_id());
    if (!current.ok()) return 0;
    territory =
        creneau::server::TerritoryFromRequest(request, *current, *Communes());
    mode = creneau::Engine::UpsertMode::kReplace;
  }
  if (!territory.ok()) {
    CRENEAU_CHECK(territory.status().code() ==
                      absl::StatusCode::kInvalidArgument ||
                  territory.status().code() == absl::StatusCode::kNotFound);
    return 0;
  }
  creneau::Effects effects;
  // A request id of its own: a reused one would replay the first answer.
  const creneau::RequestKey key{absl::StrCat("fuzz-", inputs), 1};
  const auto applied =
      engine.UpsertTerritory(Admin(), key, *territory, mode, now, &effects);
  if (!applied.ok()) return 0;
  // Stored as given (communes sorted, once each), of communes that exist.
  std::vector<std::string> codes = territory->commune_codes;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  const absl::StatusOr<creneau::Territory> stored =
      engine.GetTerritory(territory->id);
  CRENEAU_CHECK(stored.ok() && stored->commune_codes == codes &&
                stored->name == territory->name &&
                stored->kind == territory->kind);
  for (const std::string& code : stored->commune_codes) {
    CRENEAU_CHECK(Communes()->Find(code) != nullptr);
  }
  return 0;
}

// Fuzz target: the principals file (server/principals.h). Any text must
// parse or be refused with INVALID_ARGUMENT naming a line; a parsed
// directory holds only well-formed principals, each found again by its
// credential, and never answers for an unknown token.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "engine/check.h"
#include "engine/validate.h"
#include "server/principals.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using creneau::server::PrincipalDirectory;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<PrincipalDirectory> directory =
      PrincipalDirectory::Parse(text);
  if (!directory.ok()) {
    CRENEAU_CHECK(directory.status().code() ==
                  absl::StatusCode::kInvalidArgument);
    CRENEAU_CHECK(absl::StrContains(directory.status().message(), "line "));
    return 0;
  }
  CRENEAU_CHECK(!directory->open_mode());
  CRENEAU_CHECK(directory->size() <= PrincipalDirectory::kMaxPrincipals);
  for (const creneau::server::Principal& p : directory->principals()) {
    CRENEAU_CHECK(creneau::IsValidId(p.name));
    CRENEAU_CHECK(creneau::IsValidId(p.organisation));
    CRENEAU_CHECK(p.scope.national || !p.scope.territory_ids.empty());
  }
  // The input itself, as a token or a common name, finds nobody unless a
  // line names it.
  (void)directory->ByToken(text);
  (void)directory->ByCommonName(text);
  return 0;
}

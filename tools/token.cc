#include "tools/token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/check.h"
#include "engine/limits.h"
#include "engine/validate.h"
#include "openssl/rand.h"
#include "openssl/sha.h"

namespace creneau::tools {

std::string NewBearerToken() {
  unsigned char bytes[32];
  CRENEAU_CHECK(RAND_bytes(bytes, sizeof bytes) == 1);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string BearerTokenDigest(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  return absl::StrCat(
      "sha256:", absl::BytesToHexString(absl::string_view(
                     reinterpret_cast<const char*>(digest), sizeof digest)));
}

absl::StatusOr<std::string> PrincipalLine(absl::string_view credential,
                                          absl::string_view name,
                                          absl::string_view role,
                                          absl::string_view organisation,
                                          absl::string_view scope) {
  if (!IsValidId(name)) return InvalidField("NAME", IdRule());
  if (role != "feed" && role != "regulator" && role != "reader" &&
      role != "admin") {
    return InvalidField("ROLE", "must be feed, regulator, reader or admin");
  }
  if (!IsValidId(organisation)) return InvalidField("ORG", IdRule());
  if (scope != "*") {
    int territories = 0;
    for (absl::string_view id : absl::StrSplit(scope, ',')) {
      if (!IsValidId(id)) {
        return InvalidField("SCOPE",
                            "must be * or territory ids separated by commas");
      }
      ++territories;
    }
    if (territories > limits::kMaxScopeTerritories) {
      return InvalidField("SCOPE",
                          absl::StrCat("at most ", limits::kMaxScopeTerritories,
                                       " territories"));
    }
  }
  return absl::StrCat(credential, " ", name, " ", role, " ", organisation, " ",
                      scope);
}

}  // namespace creneau::tools

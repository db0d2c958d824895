#include "tools/token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

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
  return absl::StrCat("crn_",
                      absl::WebSafeBase64Escape(absl::string_view(
                          reinterpret_cast<const char*>(bytes), sizeof bytes)));
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

absl::Status AppendPrincipalLine(const std::string& path,
                                 absl::string_view line) {
  const std::vector<absl::string_view> fields =
      absl::StrSplit(line, ' ', absl::SkipEmpty());
  CRENEAU_CHECK(fields.size() == 5);
  struct stat info;
  if (stat(path.c_str(), &info) == 0) {
    if ((info.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": readable by others; chmod 600 it first"));
    }
    std::ifstream in(path);
    std::string existing;
    while (std::getline(in, existing)) {
      const std::vector<absl::string_view> other =
          absl::StrSplit(existing, ' ', absl::SkipEmpty());
      if (other.size() >= 2 && other[0][0] != '#' && other[1] == fields[1]) {
        return absl::AlreadyExistsError(absl::StrCat(
            path, ": already has a principal named '", fields[1], "'"));
      }
    }
  }
  // O_APPEND with mode 0600 at creation; an existing file keeps its mode.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  const std::string text = absl::StrCat(line, "\n");
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = close(fd) == 0;
  if (!written || !closed) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot write: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace creneau::tools

#include "server/principals.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/limits.h"
#include "engine/validate.h"
#include "openssl/sha.h"

namespace creneau::server {
namespace {

constexpr VisibilityMask kAllVisibilities =
    Bit(Visibility::kPublic) | Bit(Visibility::kProfessionals) |
    Bit(Visibility::kRegulation) | Bit(Visibility::kCptsMembers);

bool ParseRole(absl::string_view text, Role* role) {
  static constexpr std::pair<absl::string_view, Role> kRoles[] = {
      {"feed", Role::kFeed},
      {"regulator", Role::kRegulator},
      {"reader", Role::kReader},
      {"admin", Role::kAdmin}};
  for (const auto& [name, value] : kRoles) {
    if (text == name) {
      *role = value;
      return true;
    }
  }
  return false;
}

bool IsHexDigest(absl::string_view hex) {
  if (hex.size() != 2 * SHA256_DIGEST_LENGTH) return false;
  for (char c : hex) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// A certificate common name as the file may name it: an id, '@' allowed.
bool IsValidCommonName(absl::string_view cn) {
  if (cn.empty() || cn.size() > limits::kMaxIdLength) return false;
  for (char c : cn) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' &&
        c != '-' && c != '@') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Scope> ParseScope(absl::string_view text) {
  Scope scope;
  if (text == "*") return scope;
  scope.national = false;
  for (absl::string_view id : absl::StrSplit(text, ',')) {
    if (!IsValidId(id)) {
      return absl::InvalidArgumentError(
          "scope must be * or territory ids separated by commas");
    }
    scope.territory_ids.emplace_back(id);
  }
  if (scope.territory_ids.size() >
      static_cast<size_t>(limits::kMaxScopeTerritories)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scope: at most ", limits::kMaxScopeTerritories, " territories"));
  }
  return scope;
}

}  // namespace

Caller CallerFor(const Principal& principal) {
  Caller caller;
  caller.name = principal.name;
  caller.organisation = principal.organisation;
  caller.scope = principal.scope;
  switch (principal.role) {
    case Role::kAdmin:
      caller.visibilities = kAllVisibilities;
      caller.may_overbook = true;
      caller.administrator = true;
      break;
    case Role::kRegulator:
      caller.visibilities = Bit(Visibility::kPublic) |
                            Bit(Visibility::kProfessionals) |
                            Bit(Visibility::kRegulation);
      caller.may_overbook = true;
      break;
    case Role::kFeed:
      caller.visibilities =
          Bit(Visibility::kPublic) | Bit(Visibility::kProfessionals);
      break;
    case Role::kReader:
      caller.visibilities = Bit(Visibility::kPublic);
      break;
  }
  return caller;
}

bool Allows(Role role, Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return true;
    case Permission::kPublish:
      return role == Role::kFeed || role == Role::kAdmin;
    case Permission::kHold:
      return role == Role::kRegulator || role == Role::kAdmin;
    case Permission::kManageBookings:
      return role == Role::kRegulator || role == Role::kFeed ||
             role == Role::kAdmin;
    case Permission::kAdminister:
      return role == Role::kAdmin;
  }
  return false;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFeed:
      return "feed";
    case Role::kRegulator:
      return "regulator";
    case Role::kReader:
      return "reader";
    case Role::kAdmin:
      return "admin";
  }
  return "";
}

std::string TokenDigest(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  return absl::StrCat(
      "sha256:", absl::BytesToHexString(absl::string_view(
                     reinterpret_cast<const char*>(digest), sizeof digest)));
}

absl::StatusOr<PrincipalDirectory> PrincipalDirectory::Parse(
    absl::string_view text) {
  PrincipalDirectory directory;
  directory.open_mode_ = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("principals file line ", line_number, ": ", why));
    };
    if (fields.size() != 5) {
      return bad(
          "expected \"<sha256:digest|cn:name> name role organisation "
          "scope\"");
    }
    absl::string_view credential = fields[0];
    std::string key;
    if (absl::ConsumePrefix(&credential, "sha256:")) {
      if (!IsHexDigest(credential)) {
        return bad("sha256: must be followed by 64 lowercase hex digits");
      }
    } else if (absl::ConsumePrefix(&credential, "cn:")) {
      if (!IsValidCommonName(credential)) {
        return bad("cn: must be followed by 1 to 64 of [A-Za-z0-9._:@-]");
      }
    } else {
      return bad("the credential must start with sha256: or cn:");
    }
    Principal principal;
    principal.name = std::string(fields[1]);
    principal.organisation = std::string(fields[3]);
    if (!IsValidId(principal.name)) return bad(absl::StrCat("name ", IdRule()));
    if (!ParseRole(fields[2], &principal.role)) {
      return bad("role must be feed, regulator, reader or admin");
    }
    if (!IsValidId(principal.organisation)) {
      return bad(absl::StrCat("organisation ", IdRule()));
    }
    absl::StatusOr<Scope> scope = ParseScope(fields[4]);
    if (!scope.ok()) return bad(scope.status().message());
    principal.scope = *std::move(scope);
    if (directory.principals_.size() >= kMaxPrincipals) {
      return bad(absl::StrCat("at most ", kMaxPrincipals, " principals"));
    }
    if (!directory.by_credential_
             .emplace(std::string(fields[0]), directory.principals_.size())
             .second) {
      return bad("this credential is already listed");
    }
    directory.principals_.push_back(std::move(principal));
  }
  return directory;
}

absl::StatusOr<Principal> PrincipalDirectory::ByToken(
    absl::string_view token) const {
  if (open_mode_) return Principal{"local", Role::kAdmin, "local", Scope()};
  auto it = by_credential_.find(TokenDigest(token));
  if (it == by_credential_.end()) {
    return absl::UnauthenticatedError("authorization: unknown token");
  }
  return principals_[it->second];
}

absl::StatusOr<Principal> PrincipalDirectory::ByCommonName(
    absl::string_view common_name) const {
  if (open_mode_) return Principal{"local", Role::kAdmin, "local", Scope()};
  auto it = by_credential_.find(absl::StrCat("cn:", common_name));
  if (it == by_credential_.end()) {
    return absl::UnauthenticatedError(
        "client certificate: no principal for this certificate");
  }
  return principals_[it->second];
}

absl::StatusOr<PrincipalDirectory> ReadPrincipalsFile(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: mode %04o lets its group or others read it; chmod 600 %s", path,
        info.st_mode & 07777, path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<PrincipalDirectory> directory =
      PrincipalDirectory::Parse(text.str());
  if (!directory.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", directory.status().message()));
  }
  return directory;
}

}  // namespace creneau::server

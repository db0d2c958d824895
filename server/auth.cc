#include "server/auth.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/validate.h"

namespace creneau::server {
namespace {

constexpr VisibilityMask kAllVisibilities =
    Bit(Visibility::kPublic) | Bit(Visibility::kProfessionals) |
    Bit(Visibility::kRegulation) | Bit(Visibility::kCptsMembers);

bool ParseRole(absl::string_view text, Role* role) {
  if (text == "feed")
    *role = Role::kFeed;
  else if (text == "regulator")
    *role = Role::kRegulator;
  else if (text == "reader")
    *role = Role::kReader;
  else if (text == "admin")
    *role = Role::kAdmin;
  else
    return false;
  return true;
}

bool IsValidToken(absl::string_view token) {
  if (token.size() < 16 || token.size() > 256) return false;
  for (char c : token) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

Caller CallerFor(const Principal& principal) {
  Caller caller;
  caller.name = principal.name;
  caller.cpts_id = principal.cpts_id;
  switch (principal.role) {
    case Role::kAdmin:
      caller.visibilities = kAllVisibilities;
      caller.may_overbook = true;
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
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kRegulator:
      return permission != Permission::kPublish;
    case Role::kFeed:
      return permission == Permission::kPublish ||
             permission == Permission::kRead ||
             permission == Permission::kCancel;
    case Role::kReader:
      return permission == Permission::kRead;
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

absl::StatusOr<Authenticator> Authenticator::FromTokensFile(
    absl::string_view text) {
  Authenticator auth;
  auth.open_mode_ = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_number, ": ", why));
    };
    if (fields.size() < 3 || fields.size() > 4) {
      return bad("expected \"token name role [cpts_id]\"");
    }
    Principal principal;
    principal.name = std::string(fields[1]);
    if (!IsValidToken(fields[0]))
      return bad("token must be 16 to 256 printable characters");
    if (!IsValidId(principal.name))
      return bad("name must be 1 to 64 of [A-Za-z0-9._:-]");
    if (!ParseRole(fields[2], &principal.role)) {
      return bad("role must be feed, regulator, reader or admin");
    }
    if (fields.size() == 4) {
      principal.cpts_id = std::string(fields[3]);
      if (!IsValidId(principal.cpts_id)) return bad("cpts_id must be an id");
    }
    if (auth.by_token_.size() >= kMaxTokens) return bad("too many tokens");
    if (!auth.by_token_.emplace(std::string(fields[0]), principal).second) {
      return bad("duplicate token");
    }
  }
  return auth;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    absl::string_view authorization) const {
  if (open_mode_) return Principal{"local", Role::kAdmin, ""};
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ") || token.empty()) {
    return absl::UnauthenticatedError(
        "authorization: expected the header \"authorization: Bearer <token>\"");
  }
  auto it = by_token_.find(token);
  if (it == by_token_.end()) {
    return absl::UnauthenticatedError("authorization: unknown token");
  }
  return it->second;
}

}  // namespace creneau::server

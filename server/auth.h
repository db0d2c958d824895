// Authentication and roles.
//
// A bearer token ("authorization: Bearer <token>") maps to a principal: a
// name (recorded with every mutation it makes) and a role. The role decides
// which RPCs it may call and which slots it sees. Without a tokens file the
// server runs in open mode: every caller is the principal "local" with the
// admin role; that is only for a server bound to loopback.
#ifndef CRENEAU_SERVER_AUTH_H_
#define CRENEAU_SERVER_AUTH_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/types.h"

namespace creneau::server {

enum class Role {
  kFeed,       // Agenda software: publishes professionals and slots.
  kRegulator,  // SAS / CPTS regulation: searches, holds, books.
  kReader,     // Public-facing or statistics: searches public slots.
  kAdmin,      // Everything.
};

// What a call does, for permission checks.
enum class Permission {
  kPublish,  // UpsertProfessionals, PublishSlots, WithdrawSlots.
  kRead,     // GetSlot, ListSlots, SearchSlots.
  kBook,     // HoldSlot, ConfirmBooking, ReleaseHold, GetBooking.
  kCancel,   // CancelBooking.
};

struct Principal {
  std::string name;
  Role role = Role::kReader;
  std::string cpts_id;  // Optional: the CPTS it belongs to.
};

// The engine-side view of a principal: visibilities and overbooking right.
Caller CallerFor(const Principal& principal);
bool Allows(Role role, Permission permission);
absl::string_view RoleName(Role role);

class Authenticator {
 public:
  // Most tokens a file may hold.
  static constexpr size_t kMaxTokens = 100000;

  // Open mode: everyone is "local", admin.
  Authenticator() = default;

  // Parses a tokens file: one principal per line, "token name role
  // [cpts_id]", blank lines and '#' comments ignored. Tokens are 16 to 256
  // printable characters; names are ids; roles are feed, regulator, reader
  // or admin. INVALID_ARGUMENT names the line.
  static absl::StatusOr<Authenticator> FromTokensFile(absl::string_view text);

  // The principal of a request's "authorization" header value (empty when
  // absent). UNAUTHENTICATED when missing or unknown (never in open mode).
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization) const;

  bool open_mode() const { return open_mode_; }
  size_t size() const { return by_token_.size(); }

 private:
  bool open_mode_ = true;
  absl::flat_hash_map<std::string, Principal> by_token_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_AUTH_H_

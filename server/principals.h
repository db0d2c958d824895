// Principals: who calls creneau, and what their role lets them call.
//
// A principal has a name (recorded with everything it does), a role, an
// organisation and a scope of territories. It is found by a bearer token
// ("authorization: Bearer <token>"), which the principals file stores only
// as its SHA-256, or by the common name of a client certificate under
// mutual TLS. Without a principals file the server runs in open mode: every
// caller is the principal "local", admin of organisation "local", national
// scope; that is only for a server on loopback.
#ifndef CRENEAU_SERVER_PRINCIPALS_H_
#define CRENEAU_SERVER_PRINCIPALS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/types.h"

namespace creneau::server {

enum class Role {
  kFeed,       // Agenda software: publishes its professionals and slots.
  kRegulator,  // SAS / CPTS regulation: searches, holds, books in scope.
  kReader,     // Patient-facing or statistics apps: public slots only.
  kAdmin,      // Territories, ownership, audit; everything.
};

// What a call does; each RPC names one (the table in README's "Roles").
enum class Permission {
  kPublish,         // UpsertProfessionals, PublishSlots, WithdrawSlots,
                    // PublishAvailability, GetAvailability.
  kRead,            // GetSlot, ListSlots, SearchSlots, territories.
  kHold,            // HoldSlot, MatchAndHold, ConfirmBooking,
                    // ReleaseHold; the waitlist: EnqueueRequest,
                    // CancelRequest, ListRequests, WatchRequests.
  kManageBookings,  // GetBooking, ListBookings, CancelBooking.
  kAdminister,      // Territory changes, transfers, audit.
};

struct Principal {
  std::string name;
  Role role = Role::kReader;
  std::string organisation;
  Scope scope;  // National by default.
};

// The engine-side view of a principal: visibilities by role, overbooking
// for regulation roles, organisation, scope, administrator.
Caller CallerFor(const Principal& principal);
bool Allows(Role role, Permission permission);
absl::string_view RoleName(Role role);

// The SHA-256 of a token as the principals file stores it: "sha256:" and 64
// lowercase hex digits.
std::string TokenDigest(absl::string_view token);

class PrincipalDirectory {
 public:
  // Most principals a file may hold.
  static constexpr size_t kMaxPrincipals = 100000;

  // Open mode: everyone is "local", admin.
  PrincipalDirectory() = default;

  // Parses a principals file: one principal per line,
  //   <credential> <name> <role> <organisation> <scope>
  // where the credential is "sha256:<64 hex>" (the digest of a bearer
  // token, see TokenDigest) or "cn:<common name>" (a client certificate's),
  // the role feed, regulator, reader or admin, and the scope "*" (national)
  // or up to limits::kMaxScopeTerritories territory ids separated by
  // commas. Blank lines and '#' comments are ignored. INVALID_ARGUMENT
  // names the line.
  static absl::StatusOr<PrincipalDirectory> Parse(absl::string_view text);

  // The principal of a bearer token, or of a certificate common name.
  // UNAUTHENTICATED when unknown (never in open mode).
  absl::StatusOr<Principal> ByToken(absl::string_view token) const;
  absl::StatusOr<Principal> ByCommonName(absl::string_view common_name) const;

  bool open_mode() const { return open_mode_; }
  size_t size() const { return by_credential_.size(); }
  // Every principal, in file order.
  const std::vector<Principal>& principals() const { return principals_; }

 private:
  bool open_mode_ = true;
  std::vector<Principal> principals_;
  // "sha256:..." or "cn:..." -> index into principals_.
  absl::flat_hash_map<std::string, size_t> by_credential_;
};

// Reads and parses a principals file. FAILED_PRECONDITION when the file is
// readable or writable by its group or others (mode must be 0600 or 0400:
// it grants access to patient data), NOT_FOUND when it cannot be read.
absl::StatusOr<PrincipalDirectory> ReadPrincipalsFile(const std::string& path);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_PRINCIPALS_H_

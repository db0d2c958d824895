// Gatekeeper: who is calling, whether its role allows the call, and whether
// it is within its request rate; and the count of every refused call, for
// the audit trail.
//
// A principal is found by its bearer token, else by its client
// certificate's common name (mutual TLS). Each principal of a principals
// file has a token bucket (GateOptions); open mode has none. The directory
// can be replaced while calls run (SIGHUP reloads the file).
#ifndef CRENEAU_SERVER_GATEKEEPER_H_
#define CRENEAU_SERVER_GATEKEEPER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/effects.h"
#include "grpcpp/grpcpp.h"
#include "server/principals.h"

namespace creneau::server {

struct GateOptions {
  // Requests a principal may send per second on average, and in a burst;
  // 0 for no limit. Open mode has no limit.
  double requests_per_s = 100;
  double burst = 200;
};

class Gatekeeper {
 public:
  // Refusals are summed per principal and code between two TakeRefusals
  // calls; at most this many distinct pairs (the rest are summed under
  // "(others)").
  static constexpr size_t kMaxRefusalKeys = 10000;

  Gatekeeper(std::shared_ptr<const PrincipalDirectory> directory,
             GateOptions options);

  // The calling principal if it may make a call needing `permission` now:
  // UNAUTHENTICATED (no or an unknown credential), PERMISSION_DENIED (its
  // role), RESOURCE_EXHAUSTED (its rate). Every refusal is counted.
  absl::StatusOr<Principal> Admit(const grpc::CallbackServerContext& context,
                                  Permission permission);
  // Counts a call refused after admission (NOT_FOUND, PERMISSION_DENIED,
  // FAILED_PRECONDITION, ...) against `principal`. OK is not counted.
  void Count(absl::string_view principal, const absl::Status& status);
  // The refusals counted since the last call, as audit events
  // (kCallsRefused, one per principal and code, with the principal's
  // organisation and detail "CODE xN") at `now`.
  std::vector<Event> TakeRefusals(absl::Time now);

  // Calls admitted and refused since start, per principal.
  struct PrincipalCalls {
    int64_t admitted = 0;
    int64_t refused = 0;
  };
  // Principals counted one by one in CallCounts; the others are summed
  // under "(others)", so that /metrics keeps a bounded number of series.
  static constexpr size_t kMaxPrincipalSeries = 1000;
  // The counts, by principal name (unknown credentials: "(unauthenticated)").
  std::vector<std::pair<std::string, PrincipalCalls>> CallCounts() const;
  // The name of the principal a call's credentials name, for the call log;
  // "(unauthenticated)" when they name none. Counts nothing.
  std::string NameOf(const grpc::ServerContextBase& context) const;

  // Replaces the directory (a reloaded principals file); calls already
  // admitted go on. Buckets of principals still listed keep their state.
  void Reload(std::shared_ptr<const PrincipalDirectory> directory);
  bool open_mode() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };

  std::shared_ptr<const PrincipalDirectory> directory() const;
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context,
      const PrincipalDirectory& current) const;
  // Under one lock (the hot path of every call): takes a token from the
  // principal's bucket when `rate_limited` and counts the call admitted.
  // False, and nothing counted, when the bucket is empty.
  bool TakeTokenAndCount(const std::string& principal, bool rate_limited);
  void CountCallLocked(const std::string& principal, bool refused)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const GateOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const PrincipalDirectory> directory_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  // (principal, code) -> refused calls since the last TakeRefusals.
  absl::flat_hash_map<std::pair<std::string, int>, int64_t> refused_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, PrincipalCalls> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_GATEKEEPER_H_

#include "server/gatekeeper.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "spdlog/spdlog.h"

namespace creneau::server {
namespace {

absl::string_view Metadata(const grpc::ServerContextBase& context,
                           absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(std::string(key));
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

// The common name of a verified client certificate, empty when none.
std::string CertificateCommonName(const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  const std::vector<grpc::string_ref> names =
      auth->FindPropertyValues("x509_common_name");
  if (names.empty()) return "";
  return std::string(names.front().data(), names.front().size());
}

}  // namespace

Gatekeeper::Gatekeeper(std::shared_ptr<const PrincipalDirectory> directory,
                       GateOptions options)
    : options_(options), directory_(std::move(directory)) {}

std::shared_ptr<const PrincipalDirectory> Gatekeeper::directory() const {
  absl::MutexLock lock(&mu_);
  return directory_;
}

bool Gatekeeper::open_mode() const { return directory()->open_mode(); }

void Gatekeeper::Reload(std::shared_ptr<const PrincipalDirectory> directory) {
  absl::MutexLock lock(&mu_);
  directory_ = std::move(directory);
  // Buckets of principals no longer listed go; the others keep their state.
  absl::flat_hash_map<std::string, Bucket> kept;
  for (const Principal& p : directory_->principals()) {
    auto it = buckets_.find(p.name);
    if (it != buckets_.end()) kept.emplace(p.name, it->second);
  }
  buckets_ = std::move(kept);
}

absl::StatusOr<Principal> Gatekeeper::Authenticate(
    const grpc::ServerContextBase& context,
    const PrincipalDirectory& current) const {
  absl::string_view authorization = Metadata(context, "authorization");
  if (!authorization.empty()) {
    absl::string_view token = authorization;
    if (!absl::ConsumePrefix(&token, "Bearer ") || token.empty()) {
      return absl::UnauthenticatedError(
          "authorization: expected the header \"authorization: Bearer "
          "<token>\"");
    }
    return current.ByToken(token);
  }
  const std::string common_name = CertificateCommonName(context);
  if (!common_name.empty()) return current.ByCommonName(common_name);
  if (current.open_mode()) return current.ByToken("");
  return absl::UnauthenticatedError(
      "authorization: send \"authorization: Bearer <token>\" or a client "
      "certificate");
}

bool Gatekeeper::TakeTokenAndCount(const std::string& principal,
                                   bool rate_limited) {
  rate_limited = rate_limited && options_.requests_per_s > 0;
  const absl::Time now = rate_limited ? absl::Now() : absl::InfinitePast();
  absl::MutexLock lock(&mu_);
  if (rate_limited) {
    auto [it, fresh] = buckets_.try_emplace(principal);
    Bucket& bucket = it->second;
    if (fresh) {
      bucket.tokens = options_.burst;
    } else {
      bucket.tokens = std::min(
          options_.burst,
          bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) *
                              options_.requests_per_s);
    }
    bucket.refilled = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
  }
  CountCallLocked(principal, /*refused=*/false);
  return true;
}

absl::StatusOr<Principal> Gatekeeper::Admit(
    const grpc::CallbackServerContext& context, Permission permission) {
  const std::shared_ptr<const PrincipalDirectory> current = directory();
  absl::StatusOr<Principal> principal = Authenticate(context, *current);
  if (!principal.ok()) {
    Count("(unauthenticated)", principal.status());
    return principal;
  }
  if (!Allows(principal->role, permission)) {
    const absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
        "the ", RoleName(principal->role), " role may not make this call"));
    Count(principal->name, denied);
    return denied;
  }
  if (!TakeTokenAndCount(principal->name,
                         /*rate_limited=*/!current->open_mode())) {
    const absl::Status limited = absl::ResourceExhaustedError(
        absl::StrCat("rate: at most ", options_.requests_per_s,
                     " requests per second for one principal (bursts of ",
                     options_.burst, "); retry shortly"));
    Count(principal->name, limited);
    return limited;
  }
  spdlog::debug("admitted {} ({}, {})", principal->name,
                std::string(RoleName(principal->role)),
                principal->organisation);
  return principal;
}

void Gatekeeper::Count(absl::string_view principal,
                       const absl::Status& status) {
  if (status.ok()) return;
  // Messages name fields and ids, never patient data (the audit test reads
  // this log at debug level).
  spdlog::debug("refused {}: {}", std::string(principal), status.ToString());
  absl::MutexLock lock(&mu_);
  std::pair<std::string, int> key(principal, static_cast<int>(status.code()));
  if (refused_.size() >= kMaxRefusalKeys && !refused_.contains(key)) {
    key.first = "(others)";
  }
  ++refused_[key];
  CountCallLocked(std::string(principal), /*refused=*/true);
}

void Gatekeeper::CountCallLocked(const std::string& principal, bool refused) {
  auto it = calls_.find(principal);
  if (it == calls_.end()) {
    it = calls_
             .try_emplace(calls_.size() < kMaxPrincipalSeries
                              ? principal
                              : std::string("(others)"))
             .first;
  }
  ++(refused ? it->second.refused : it->second.admitted);
}

std::vector<std::pair<std::string, Gatekeeper::PrincipalCalls>>
Gatekeeper::CallCounts() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, PrincipalCalls>> counts(calls_.begin(),
                                                             calls_.end());
  std::sort(counts.begin(), counts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return counts;
}

std::string Gatekeeper::NameOf(const grpc::ServerContextBase& context) const {
  absl::StatusOr<Principal> principal = Authenticate(context, *directory());
  return principal.ok() ? principal->name : "(unauthenticated)";
}

std::vector<Event> Gatekeeper::TakeRefusals(absl::Time now) {
  absl::flat_hash_map<std::pair<std::string, int>, int64_t> taken;
  {
    absl::MutexLock lock(&mu_);
    taken.swap(refused_);
  }
  if (taken.empty()) return {};
  // Organisations of the principals, from the directory now in force (a
  // principal removed by a reload since keeps none).
  absl::flat_hash_map<std::string, std::string> organisation_of;
  for (const Principal& p : directory()->principals()) {
    organisation_of[p.name] = p.organisation;
  }
  std::vector<Event> events;
  for (const auto& [key, count] : taken) {
    Event event;
    event.type = EventType::kCallsRefused;
    event.time_unix_s = absl::ToUnixSeconds(now);
    event.actor = key.first;
    if (auto it = organisation_of.find(key.first);
        it != organisation_of.end()) {
      event.organisation = it->second;
    }
    event.detail = absl::StrCat(
        absl::StatusCodeToString(static_cast<absl::StatusCode>(key.second)),
        " x", count);
    events.push_back(std::move(event));
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.actor, a.detail) < std::tie(b.actor, b.detail);
  });
  return events;
}

}  // namespace creneau::server

// ReferenceModel: retention, read plainly from the rules (what is due at a
// time), and the check of what an engine purge removed.
#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/check.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "tests/reference_internal.h"
#include "tests/reference_model.h"

namespace creneau::testing {

ReferenceModel::Purgeable ReferenceModel::PurgeableAt(int64_t now) const {
  Purgeable out;
  constexpr int64_t kDay = 24 * 3600;
  for (const auto& [id, s] : slots_) {
    const bool held = s.held_regular + s.held_overbooking > 0;
    if (!held && s.slot.start_unix_s + s.slot.duration_s + 7 * kDay <= now) {
      out.slots.insert(id);
    }
  }
  for (const auto& [token, h] : holds_) {
    if (h.state != HoldState::kActive && h.close_unix_s + 25 * 3600 <= now) {
      out.holds.insert(token);
    }
  }
  for (const auto& [id, b] : bookings_) {
    if (b.start_unix_s + b.duration_s + 90 * kDay <= now) {
      out.bookings.insert(id);
    }
  }
  for (const auto& [key, r] : requests_) {
    if (r.create_unix_s + 25 * 3600 <= now) {
      out.requests.insert(IdempotencyKey(key.first, key.second));
    }
  }
  return out;
}

absl::Status ReferenceModel::ApplyPurge(const Effects& purged, int64_t now,
                                        bool exhaustive) {
  const Purgeable expected = PurgeableAt(now);
  const auto check = [&](absl::string_view what,
                         const std::vector<std::string>& removed,
                         const std::set<std::string>& purgeable) {
    const std::set<std::string> got(removed.begin(), removed.end());
    for (const std::string& id : got) {
      if (!purgeable.contains(id)) {
        return absl::InternalError(
            absl::StrCat("purged too early: ", what, " ", id));
      }
    }
    if (exhaustive) {
      for (const std::string& id : purgeable) {
        if (!got.contains(id)) {
          return absl::InternalError(
              absl::StrCat("kept past its retention: ", what, " ", id));
        }
      }
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(check("slot", purged.slots_deleted, expected.slots));
  RETURN_IF_ERROR(check("hold", purged.holds_deleted, expected.holds));
  RETURN_IF_ERROR(check("booking", purged.bookings_deleted, expected.bookings));
  RETURN_IF_ERROR(
      check("request", purged.idempotency_deleted, expected.requests));
  for (const std::string& id : purged.slots_deleted) slots_.erase(id);
  for (const std::string& token : purged.holds_deleted) holds_.erase(token);
  for (const std::string& id : purged.bookings_deleted) bookings_.erase(id);
  for (const std::string& key : purged.idempotency_deleted) {
    const size_t nul = key.find('\0');
    requests_.erase({key.substr(0, nul), key.substr(nul + 1)});
  }
  return absl::OkStatus();
}

}  // namespace creneau::testing

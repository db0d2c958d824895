// Mapping between the API messages (creneau.v1) and the engine's domain
// types. Requests are validated on the way in: an INVALID_ARGUMENT status
// starts with the path of the offending field ("slots[3].duration: ...").
// Defaults documented in the proto files are applied here.
#ifndef CRENEAU_SERVER_MAPPING_H_
#define CRENEAU_SERVER_MAPPING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/slot_service.pb.h"
#include "engine/engine.h"

namespace creneau::server {

namespace v1 = ::creneau::v1;

// The IANA zone professionals get when they give none.
inline constexpr char kDefaultTimeZone[] = "Europe/Paris";

// ---- Requests to domain commands. ----

// "request_id: required ..." unless 1..36 characters of [A-Za-z0-9._:-].
absl::Status CheckRequestId(const std::string& request_id);
// "<field>: required ..." unless a valid id.
absl::Status CheckId(absl::string_view field, const std::string& id);

absl::StatusOr<std::vector<Professional>> ProfessionalsFromRequest(
    const v1::UpsertProfessionalsRequest& request);
absl::StatusOr<std::vector<Slot>> SlotsFromRequest(
    const v1::PublishSlotsRequest& request);
absl::StatusOr<std::vector<std::string>> SlotIdsFromRequest(
    const v1::WithdrawSlotsRequest& request);
absl::StatusOr<SearchQuery> QueryFromRequest(
    const v1::SearchSlotsRequest& request);
// `token` is the fresh hold token the server chose.
absl::StatusOr<HoldCommand> HoldFromRequest(const v1::HoldSlotRequest& request,
                                            std::string token);
absl::StatusOr<ConfirmCommand> ConfirmFromRequest(
    const v1::ConfirmBookingRequest& request);
absl::StatusOr<ReleaseCommand> ReleaseFromRequest(
    const v1::ReleaseHoldRequest& request);
absl::StatusOr<CancelCommand> CancelFromRequest(
    const v1::CancelBookingRequest& request);

// ---- Domain values to messages. ----

void ToProto(const ProfessionalView& professional, v1::Professional* out);
void ToProto(const SlotView& view, v1::Slot* out);
void ToProto(const Hold& hold, v1::Hold* out);
void ToProto(const Booking& booking, v1::Booking* out);
// Fills a search response from an engine result; `engine` must be the one
// that produced `result`, unchanged since (call under its lock).
void ToProto(const Engine& engine, const SearchQuery& query,
             const SearchResult& result, absl::Time now,
             v1::SearchSlotsResponse* out);

// One line for a regulator: "2.4 km, in 3 h 10 min".
std::string ReasonText(const SearchHit& hit, int64_t start_unix_s,
                       absl::Time now);
// A sentence on the whole answer, empty or not.
std::string Explanation(const CommuneTable& communes, const SearchQuery& query,
                        const SearchResult& result);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_MAPPING_H_

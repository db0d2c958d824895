// Requests (creneau.v1 messages) to the engine's domain commands, validated
// on the way in: an INVALID_ARGUMENT status starts with the path of the
// offending field ("slots[3].duration: ..."). Defaults documented in the
// proto files are applied here. The reverse direction is to_proto.h.
#ifndef CRENEAU_SERVER_FROM_PROTO_H_
#define CRENEAU_SERVER_FROM_PROTO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "creneau/v1/admin_service.pb.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/slot_service.pb.h"
#include "creneau/v1/territory_service.pb.h"
#include "engine/engine.h"

namespace creneau::server {

namespace v1 = ::creneau::v1;

// The IANA zone professionals get when they give none.
inline constexpr char kDefaultTimeZone[] = "Europe/Paris";

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
// The search (as QueryFromRequest) and the ttl; `token` as above.
absl::StatusOr<MatchHoldCommand> MatchHoldFromRequest(
    const v1::MatchAndHoldRequest& request, std::string token);
absl::StatusOr<ConfirmCommand> ConfirmFromRequest(
    const v1::ConfirmBookingRequest& request);
absl::StatusOr<ReleaseCommand> ReleaseFromRequest(
    const v1::ReleaseHoldRequest& request);
absl::StatusOr<CancelCommand> CancelFromRequest(
    const v1::CancelBookingRequest& request);
// The engine's query; INVALID_ARGUMENT names a malformed professional_id,
// organisation or start_from (page size and token: the engine's).
absl::StatusOr<BookingQuery> BookingQueryFromRequest(
    const v1::ListBookingsRequest& request);

// The INSEE codes a territory source names, resolved against `communes`
// (sets *national for the national source). INVALID_ARGUMENT names the
// field: an unknown EPCI or département, no source.
absl::StatusOr<std::vector<std::string>> CommunesFromSource(
    const v1::TerritorySource& source, const CommuneTable& communes,
    bool* national);
// The territory a create request defines.
absl::StatusOr<Territory> TerritoryFromRequest(
    const v1::CreateTerritoryRequest& request, const CommuneTable& communes);
// `current` with an update request's changes.
absl::StatusOr<Territory> TerritoryFromRequest(
    const v1::UpdateTerritoryRequest& request, const Territory& current,
    const CommuneTable& communes);
// The professional ids of a transfer, checked.
absl::StatusOr<std::vector<std::string>> TransferFromRequest(
    const v1::TransferProfessionalsRequest& request);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_FROM_PROTO_H_

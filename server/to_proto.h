// The engine's domain values to creneau.v1 messages, for answers. Every
// value the engine produced is valid, so nothing here fails. The reverse
// direction, with validation, is from_proto.h.
#ifndef CRENEAU_SERVER_TO_PROTO_H_
#define CRENEAU_SERVER_TO_PROTO_H_

#include <string>

#include "absl/time/time.h"
#include "creneau/v1/admin_service.pb.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/slot_service.pb.h"
#include "creneau/v1/territory_service.pb.h"
#include "engine/engine.h"

namespace creneau::server {

namespace v1 = ::creneau::v1;

// Each fills `out` (which it does not clear first) from a domain value.
void ToProto(const LatLng& point, v1::LatLng* out);
void ToProto(const ProfessionalView& professional, v1::Professional* out);
void ToProto(const Professional& professional, v1::Professional* out);
void ToProto(const SlotView& view, v1::Slot* out);
void ToProto(const Hold& hold, v1::Hold* out);
void ToProto(const Booking& booking, v1::Booking* out);
void ToProto(const Territory& territory, v1::Territory* out);
// An event of the log as an audit record.
void ToProto(uint64_t sequence, const Event& event, v1::AuditRecord* out);
// The IANA time zone of a professional known to `engine` (call under its
// lock), empty when unknown: slots and bookings are shown in it.
std::string TimeZoneOf(const Engine& engine, absl::string_view professional_id);
// The audit action name of an event type: "slots_published", ...
std::string ActionName(EventType type);
// Fills a search response from an engine result for `caller` (whose scope
// says which matches are in scope); `engine` must be the one that produced
// `result`, unchanged since (call under its lock).
void ToProto(const Engine& engine, const Caller& caller,
             const SearchQuery& query, const SearchResult& result,
             v1::SearchSlotsResponse* out);

// Why a match ranks where it does, in one line for a regulator, beside the
// start and distance the answer gives anyway: the balanced score and its
// terms (with `weights`), the professional's week against their cap, and
// what set it apart (the patient's own professional, found after widening,
// another profession searched, an overbooking place only). E.g.
// "score 342 = 40 min + 14 for 2.4 km + 288 for 4 of 20 this week".
std::string ReasonText(const SearchHit& hit, SearchOrder order,
                       const RankingWeights& weights, bool other_profession);
// A sentence on the whole answer, empty or not.
std::string Explanation(const CommuneTable& communes, const SearchQuery& query,
                        const SearchResult& result);

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_TO_PROTO_H_

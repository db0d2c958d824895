// The WaitingRequest value and event version 4 (FORMAT.md).
#include <string>

#include "gtest/gtest.h"
#include "storage/internal/codec.h"

namespace creneau::storage::internal {
namespace {

WaitingRequest SampleRequest() {
  WaitingRequest r;
  r.id = "wr-0123456789abcdef0123";
  r.order = 42;
  r.caller.name = "sas-17-regulator";
  r.caller.visibilities = 0x0e;
  r.caller.may_overbook = true;
  r.caller.organisation = "sas-17";
  r.caller.scope.national = false;
  r.caller.scope.territory_ids = {"cpts-royan", "sas-17"};
  r.request_id = "3f1e4c1a-0000-4000-8000-000000000001";
  r.payload_fingerprint = 0x0123456789abcdefULL;
  r.query.commune_code = "17333";
  r.query.profession = Profession::kDermatologist;
  r.query.other_professions = {Profession::kGeneralPractitioner};
  r.query.modalities = 0x02;
  r.query.window_start_unix_s = 1'900'000'001;
  r.query.window_end_unix_s = 1'900'172'801;
  r.query.radius_m = 30000;
  r.query.limit = 20;
  r.query.order = SearchOrder::kBalanced;
  r.query.preferred_professional_id = "10003456789";
  r.patient_ref = "patient-7";
  r.hold_token = "89abcdef000000000123456789abcdef0123";
  r.hold_token = r.hold_token.substr(4);
  r.hold_ttl_s = 300;
  r.create_unix_s = 1'900'000'000;
  r.expire_unix_s = 1'900'014'400;
  r.state = RequestState::kHeld;
  r.close_unix_s = 1'900'000'600;
  r.slot_id = "agenda:42";
  return r;
}

TEST(CodecRequestsTest, RequestRoundTripsWithAPointOrACommune) {
  WaitingRequest r = SampleRequest();
  EXPECT_EQ(*DecodeRequest(r.id, EncodeRequest(r)), r);
  r.query.commune_code.clear();
  r.query.point = LatLng{45.6031, -0.9969};
  r.state = RequestState::kWaiting;
  r.close_unix_s = 0;
  r.slot_id.clear();
  r.caller.scope = Scope();
  EXPECT_EQ(*DecodeRequest(r.id, EncodeRequest(r)), r);
}

TEST(CodecRequestsTest, MalformedRequestsAreDataLoss) {
  const WaitingRequest r = SampleRequest();
  const std::string value = EncodeRequest(r);
  for (size_t n = 0; n < value.size(); ++n) {
    auto decoded = DecodeRequest(r.id, value.substr(0, n));
    ASSERT_FALSE(decoded.ok()) << n;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_FALSE(DecodeRequest(r.id, value + "x").ok());
  std::string wrong_version = value;
  wrong_version[0] = 9;
  EXPECT_FALSE(DecodeRequest(r.id, wrong_version).ok());
  WaitingRequest bad_state = r;
  bad_state.state = static_cast<RequestState>(9);
  EXPECT_FALSE(DecodeRequest(r.id, EncodeRequest(bad_state)).ok());
}

TEST(CodecRequestsTest, EventsOfTheWaitlistCarryTheRequest) {
  Event e;
  e.type = EventType::kRequestMatched;
  e.time_unix_s = 1'900'000'600;
  e.actor = "sas-17-regulator";
  e.organisation = "sas-17";
  e.Add(SubjectKind::kRequest, SampleRequest().id);
  e.Add(SubjectKind::kSlot, "agenda:gone");
  e.states = {ForChangeFeed(SampleRequest()), std::monostate()};
  const std::string value = EncodeEvent(e);
  EXPECT_EQ(value[0], kEventVersion);
  absl::StatusOr<Event> decoded = DecodeEvent(value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, e);
  EXPECT_TRUE(std::get<WaitingRequest>(decoded->states[0]).patient_ref.empty());
  // A version 3 event cannot name a request: that version knew none.
  std::string as_version_3 = value;
  as_version_3[0] = 3;
  EXPECT_FALSE(DecodeEvent(as_version_3).ok());
}

}  // namespace
}  // namespace creneau::storage::internal

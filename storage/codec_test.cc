#include "storage/internal/codec.h"

#include "engine/limits.h"
#include "gtest/gtest.h"
#include "storage/internal/coding.h"
#include "storage/testing/version1_records.h"

namespace creneau::storage::internal {
namespace {

Professional SampleProfessional() {
  Professional p;
  p.id = "10003456789";
  p.profession = Profession::kMidwife;
  p.location = {45.6248, -1.0281};
  p.commune_code = "17306";
  p.time_zone = "Europe/Paris";
  p.structure = StructureType::kMsp;
  p.cpts_id = "cpts-royan";
  p.sector = 2;
  p.weekly_orientation_cap = 25;
  p.home_visit_radius_km = 15;
  p.display_name = "Sage-femme Lefèvre";
  p.owner = "vendor-a";
  return p;
}

Slot SampleSlot(bool with_location) {
  Slot s;
  s.id = "agenda:42";
  s.professional_id = "10003456789";
  s.start_unix_s = 1'900'000'000;
  s.duration_s = 1200;
  s.modality = Modality::kHomeVisit;
  s.capacity = 3;
  s.overbooking_places = 1;
  s.visibility = Visibility::kCptsMembers;
  if (with_location) s.location = LatLng{45.7, -1.1};
  s.withdrawn = true;
  return s;
}

Hold SampleHold() {
  Hold h;
  h.token = "0123456789abcdef0123456789abcdef";
  h.slot_id = "agenda:42";
  h.holder = "sas-17";
  h.create_unix_s = 1'900'000'000;
  h.expire_unix_s = 1'900'000'180;
  h.overbooking_place = true;
  h.state = HoldState::kConfirmed;
  h.close_unix_s = 1'900'000'100;
  return h;
}

Booking SampleBooking() {
  Booking b;
  b.id = "bk-000000000007";
  b.slot_id = "agenda:42";
  b.professional_id = "10003456789";
  b.start_unix_s = 1'900'000'000;
  b.duration_s = 1200;
  b.modality = Modality::kTeleconsultation;
  b.patient_ref = "p-99";
  b.orientation_ref = "case-1";
  b.status = BookingStatus::kCancelled;
  b.create_unix_s = 1'899'999'000;
  b.cancel_unix_s = 1'899'999'500;
  b.cancel_reason = CancelReason::kPatientBetter;
  b.overbooking_place = true;
  b.booked_by = "sas-17";
  b.organisation = "sas-17-org";
  b.hold_token = SampleHold().token;
  return b;
}

TEST(CodecTest, ProfessionalRoundTrips) {
  const Professional p = SampleProfessional();
  auto decoded = DecodeProfessional(p.id, EncodeProfessional(p));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, p);
}

// A version 2 record (before the home-visit radius) reads with the default.
TEST(CodecTest, ProfessionalVersion2ReadsWithDefaultHomeVisitRadius) {
  Professional p = SampleProfessional();
  std::string record = EncodeProfessional(p);
  record[0] = 2;
  record.pop_back();  // The radius byte.
  auto decoded = DecodeProfessional(p.id, record);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  p.home_visit_radius_km = 0;
  EXPECT_EQ(*decoded, p);
  // A radius beyond the limit is corruption.
  record = EncodeProfessional(p);
  record.back() = 61;
  EXPECT_FALSE(DecodeProfessional(p.id, record).ok());
}

TEST(CodecTest, SlotRoundTripsWithAndWithoutLocation) {
  for (bool with_location : {false, true}) {
    const Slot s = SampleSlot(with_location);
    auto decoded = DecodeSlot(s.id, EncodeSlot(s));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, s);
  }
}

TEST(CodecTest, HoldAndBookingRoundTrip) {
  const Hold h = SampleHold();
  EXPECT_EQ(*DecodeHold(h.token, EncodeHold(h)), h);
  const Booking b = SampleBooking();
  EXPECT_EQ(*DecodeBooking(b.id, EncodeBooking(b)), b);
}

TEST(CodecTest, IdempotencyRoundTripsEveryOutcomeShape) {
  IdempotencyRecord r;
  r.caller = "sas-17";
  r.request_id = "4b1f0c9e-7c1e-4d39-9a53-0d1e0a7b9c11";
  r.method = Method::kConfirmBooking;
  r.payload_fingerprint = 0xfeedfacecafebeefULL;
  r.create_unix_s = 1'900'000'000;
  const std::string key = IdempotencyKey(r.caller, r.request_id);
  EXPECT_EQ(*DecodeIdempotency(key, EncodeIdempotency(r)), r);
  r.outcome.counts = {3, 2, 1};
  EXPECT_EQ(*DecodeIdempotency(key, EncodeIdempotency(r)), r);
  r.outcome.hold = SampleHold();
  r.outcome.booking = SampleBooking();
  EXPECT_EQ(*DecodeIdempotency(key, EncodeIdempotency(r)), r);
}

TEST(CodecTest, EventRoundTripsAndKeysSortBySequence) {
  Event e;
  e.type = EventType::kBookingConfirmed;
  e.time_unix_s = 1'900'000'000;
  e.actor = "sas-17";
  e.organisation = "sas-17-org";
  e.request_id = "r-1";
  e.Add(SubjectKind::kBooking, "bk-000000000007");
  e.Add(SubjectKind::kSlot, "agenda:42");
  e.Add(SubjectKind::kProfessional, "10003456789");
  EXPECT_EQ(*DecodeEvent(EncodeEvent(e)), e);
  Event refused;
  refused.type = EventType::kCallsRefused;
  refused.time_unix_s = 1'900'000'000;
  refused.actor = "app";
  refused.detail = "RESOURCE_EXHAUSTED x12";
  EXPECT_EQ(*DecodeEvent(EncodeEvent(refused)), refused);
  refused.detail = std::string(limits::kMaxEventDetailBytes + 1, 'x');
  EXPECT_FALSE(DecodeEvent(EncodeEvent(refused)).ok());
  EXPECT_LT(EventKey(255), EventKey(256));
  EXPECT_LT(EventKey(1), EventKey(uint64_t{1} << 40));
  EXPECT_EQ(*DecodeEventKey(EventKey(123456789)), 123456789u);
  EXPECT_FALSE(DecodeEventKey("short").ok());
}

// Version 3 events carry each subject's state after the change; a state
// must match its subject's kind, and every truncation is refused.
TEST(CodecTest, EventStatesRoundTrip) {
  Event e;
  e.type = EventType::kBookingConfirmed;
  e.time_unix_s = 1'900'000'000;
  e.actor = "sas-17";
  e.Add(SubjectKind::kBooking, "bk-000000000007");
  e.Add(SubjectKind::kSlot, "agenda:42");
  e.Add(SubjectKind::kProfessional, "10003456789");
  e.Add(SubjectKind::kTerritory, "cpts-royan");
  e.Add(SubjectKind::kSlot, "agenda:gone");
  SlotView view;
  view.slot = SampleSlot(true);
  view.profession = Profession::kMidwife;
  view.location = {45.6, -1.0};
  view.places_held = 1;
  view.places_booked = 2;
  view.state = SlotState::kFull;
  view.weekly_cap_reached = true;
  e.states = {
      ForChangeFeed(SampleBooking()), view, SampleProfessional(),
      Territory{"cpts-royan", "CPTS Royan", TerritoryKind::kCpts, {"17306"}},
      std::monostate()};
  const std::string value = EncodeEvent(e);
  absl::StatusOr<Event> decoded = DecodeEvent(value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, e);
  for (size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(DecodeEvent(value.substr(0, n)).ok()) << n;
  }
  // A state of another kind than its subject.
  std::swap(e.states[0], e.states[1]);
  EXPECT_FALSE(DecodeEvent(EncodeEvent(e)).ok());
  // Neither as many states as subjects nor none.
  e.states.pop_back();
  EXPECT_FALSE(DecodeEvent(EncodeEvent(e)).ok());
}

TEST(CodecTest, TerritoryRoundTrips) {
  Territory t{"cpts-royan-atlantique",
              "CPTS Royan Atlantique",
              TerritoryKind::kCpts,
              {"17015", "17306"}};
  EXPECT_EQ(*DecodeTerritory(t.id, EncodeTerritory(t)), t);
  Territory national{"france", "France", TerritoryKind::kNational, {}};
  EXPECT_EQ(*DecodeTerritory(national.id, EncodeTerritory(national)), national);
  const std::string value = EncodeTerritory(t);
  for (size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(DecodeTerritory(t.id, value.substr(0, n)).ok()) << n;
  }
}

// Version 1 records, as the previous release wrote them, still decode: a
// professional without owner, a booking whose free-text cancel reason
// becomes CancelReason::kOther (the text is dropped), untyped event subjects.
TEST(CodecTest, Version1RecordsDecode) {
  Professional p = SampleProfessional();
  std::string v1 = EncodeProfessional(p);
  v1[0] = 1;
  // Without the owner string and the home-visit radius.
  v1.resize(v1.size() - 2 - p.owner.size());
  p.owner.clear();
  p.home_visit_radius_km = 0;
  EXPECT_EQ(*DecodeProfessional(p.id, v1), p);

  const Booking b = SampleBooking();
  const std::string booking =
      testing::EncodeBookingVersion1(b, "patient has chest pain");
  auto decoded = DecodeBooking(b.id, booking);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->cancel_reason, CancelReason::kOther);
  EXPECT_EQ(decoded->organisation, "");
  EXPECT_EQ(decoded->patient_ref, b.patient_ref);
  // Re-encoded (as the format upgrade does), the text is gone.
  const std::string upgraded = EncodeBooking(*decoded);
  EXPECT_EQ(upgraded.find("chest"), std::string::npos);
  EXPECT_EQ(upgraded[0], kBookingVersion);

  std::string event;
  PutU8(&event, 1);
  PutU8(&event, static_cast<uint8_t>(EventType::kBookingConfirmed));
  PutFixed64(&event, 1'900'000'000);
  PutString(&event, "sas-17");
  PutString(&event, "r-1");
  PutVarint32(&event, 2);
  PutString(&event, "bk-000000000007");
  PutString(&event, "agenda:42");
  auto e = DecodeEvent(event);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->subjects.size(), 2u);
  EXPECT_EQ(e->subjects[0],
            (Subject{SubjectKind::kBooking, "bk-000000000007"}));
  EXPECT_EQ(e->subjects[1], (Subject{SubjectKind::kSlot, "agenda:42"}));
}

// Every truncation and every single-byte corruption of the version byte or
// a trailing extra byte is refused with DATA_LOSS, never a crash.
TEST(CodecTest, MalformedValuesAreDataLoss) {
  const Slot s = SampleSlot(true);
  const std::string slot = EncodeSlot(s);
  for (size_t n = 0; n < slot.size(); ++n) {
    auto decoded = DecodeSlot(s.id, slot.substr(0, n));
    ASSERT_FALSE(decoded.ok()) << n;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_FALSE(DecodeSlot(s.id, slot + "x").ok());
  std::string wrong_version = slot;
  wrong_version[0] = 9;
  EXPECT_FALSE(DecodeSlot(s.id, wrong_version).ok());
  EXPECT_FALSE(DecodeSlot("bad key!", slot).ok());

  const Booking b = SampleBooking();
  const std::string booking = EncodeBooking(b);
  for (size_t n = 0; n < booking.size(); ++n) {
    ASSERT_FALSE(DecodeBooking(b.id, booking.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeHold("not-a-token", EncodeHold(SampleHold())).ok());
  EXPECT_FALSE(DecodeIdempotency("no-separator", "\x01").ok());
}

TEST(CodingTest, VarintRejectsOverflowAndTruncation) {
  std::string out;
  PutVarint32(&out, 300);
  PutVarint32(&out, 0xFFFFFFFFu);
  Decoder d(out);
  uint32_t v;
  ASSERT_TRUE(d.GetVarint32(&v));
  EXPECT_EQ(v, 300u);
  ASSERT_TRUE(d.GetVarint32(&v));
  EXPECT_EQ(v, 0xFFFFFFFFu);
  EXPECT_TRUE(d.done());
  Decoder overflow("\xFF\xFF\xFF\xFF\x7F");
  EXPECT_FALSE(overflow.GetVarint32(&v));
  Decoder truncated("\x80");
  EXPECT_FALSE(truncated.GetVarint32(&v));
  std::string huge;
  PutVarint32(&huge, kMaxEncodedStringBytes + 1);
  std::string s;
  Decoder too_long(huge);
  EXPECT_FALSE(too_long.GetString(&s));
}

}  // namespace
}  // namespace creneau::storage::internal

// The Availability value and the idempotency record of format 3
// (FORMAT.md).
#include <string>

#include "absl/time/civil_time.h"
#include "engine/availability.h"
#include "gtest/gtest.h"
#include "storage/internal/codec.h"
#include "storage/internal/coding.h"

namespace creneau::storage::internal {
namespace {

StoredAvailability SampleAvailability() {
  StoredAvailability stored;
  stored.generated_until_unix_s = 1'900'000'000;
  Availability& a = stored.availability;
  a.professional_id = "10003456789";
  WeeklyTemplate evening;
  evening.id = "lefevre-evening";
  evening.weekdays = 0x1f;
  evening.start_minute = 17 * 60;
  evening.end_minute = 19 * 60;
  evening.shape.slot_minutes = 15;
  evening.first_day = absl::CivilDay(2026, 12, 1);
  a.templates.push_back(evening);
  WeeklyTemplate visits = evening;
  visits.id = "lefevre-visits";
  visits.weekdays = 1 << 5;
  visits.shape.modality = Modality::kHomeVisit;
  visits.shape.capacity = 2;
  visits.shape.overbooking_places = 1;
  visits.shape.visibility = Visibility::kRegulation;
  visits.shape.location = LatLng{45.62, -1.03};
  visits.last_day = absl::CivilDay(2027, 6, 30);
  a.templates.push_back(visits);
  AvailabilityException closure;
  closure.kind = ExceptionKind::kClosure;
  closure.first_day = closure.last_day = absl::CivilDay(2026, 12, 24);
  closure.start_minute = 18 * 60;
  a.exceptions.push_back(closure);
  AvailabilityException opening;
  opening.id = "lefevre-sunday";
  opening.kind = ExceptionKind::kOpening;
  opening.first_day = opening.last_day = absl::CivilDay(2026, 12, 27);
  opening.start_minute = 9 * 60;
  opening.end_minute = 12 * 60;
  opening.shape.slot_minutes = 20;
  a.exceptions.push_back(opening);
  NormalizeAvailability(&a);
  return stored;
}

TEST(CodecAvailabilityTest, RoundTripsAndRefusesEveryTruncation) {
  const StoredAvailability stored = SampleAvailability();
  const std::string key = stored.availability.professional_id;
  const std::string value = EncodeAvailability(stored);
  auto decoded = DecodeAvailability(key, value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, stored);
  for (size_t n = 0; n < value.size(); ++n) {
    auto cut = DecodeAvailability(key, value.substr(0, n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_FALSE(DecodeAvailability(key, value + "x").ok());
  EXPECT_FALSE(DecodeAvailability("bad key!", value).ok());
  std::string wrong_version = value;
  wrong_version[0] = 2;
  EXPECT_FALSE(DecodeAvailability(key, wrong_version).ok());
}

TEST(CodecAvailabilityTest, IdempotencyVersion3KeepsWithdrawnAndKept) {
  IdempotencyRecord r;
  r.caller = "vendor-a";
  r.request_id = "r-1";
  r.method = Method::kPublishAvailability;
  r.create_unix_s = 1'900'000'000;
  r.outcome.counts = {4000, 12, 300, 250, 2};
  const std::string key = IdempotencyKey(r.caller, r.request_id);
  const std::string value = EncodeIdempotency(r);
  EXPECT_EQ(value[0], 3);
  auto decoded = DecodeIdempotency(key, value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, r);

  // A version 2 record: three counts, methods up to 9.
  std::string v2;
  PutU8(&v2, 2);
  PutU8(&v2, static_cast<uint8_t>(Method::kPublishSlots));
  PutFixed64(&v2, 7);
  PutFixed64(&v2, 1'900'000'000);
  PutU8(&v2, 0);
  PutVarint32(&v2, 3);
  PutVarint32(&v2, 2);
  PutVarint32(&v2, 1);
  decoded = DecodeIdempotency(key, v2);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->outcome.counts, (BatchCounts{3, 2, 1, 0, 0}));
  v2[1] = static_cast<char>(Method::kPublishAvailability);
  EXPECT_FALSE(DecodeIdempotency(key, v2).ok());
}

}  // namespace
}  // namespace creneau::storage::internal

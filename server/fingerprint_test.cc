#include "server/fingerprint.h"

#include "creneau/v1/slot_service.pb.h"
#include "gtest/gtest.h"

namespace creneau::server {
namespace {

namespace v1 = ::creneau::v1;

v1::Slot ValidSlot() {
  v1::Slot s;
  s.set_id("agenda:1");
  s.set_professional_id("10003456789");
  s.mutable_start_time()->set_seconds(1'900'000'000);
  s.mutable_duration()->set_seconds(1200);
  s.set_modality(v1::MODALITY_HOME_VISIT);
  return s;
}

TEST(FingerprintTest, IgnoresTheRequestIdOnly) {
  v1::PublishSlotsRequest a;
  a.set_request_id("one");
  *a.add_slots() = ValidSlot();
  v1::PublishSlotsRequest b = a;
  b.set_request_id("two");
  EXPECT_EQ(RequestFingerprint("PublishSlots", a),
            RequestFingerprint("PublishSlots", b));
  EXPECT_NE(RequestFingerprint("PublishSlots", a),
            RequestFingerprint("WithdrawSlots", a));
  b.mutable_slots(0)->set_capacity(2);
  EXPECT_NE(RequestFingerprint("PublishSlots", a),
            RequestFingerprint("PublishSlots", b));
}

}  // namespace
}  // namespace creneau::server

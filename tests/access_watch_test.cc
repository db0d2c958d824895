// The change feed under the access model: each principal of the matrix
// follows the whole log and receives what its reads show it (the slots'
// visibility and its scope, its organisation's bookings and those on the
// professionals it manages), never a patient reference; filters narrow
// further.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "creneau/v1/change_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/access_env.h"
#include "tests/support/change_follower.h"

namespace creneau::testing {
namespace {

using namespace access;  // NOLINT: the matrix's columns and client.

// What a principal's feed sent: "slot <id>", "booking <id>",
// "professional <id>", "territory <id>".
struct Seen {
  std::set<std::string> objects;
  int patient_refs = 0;
  bool has(const std::string& object) const {
    return objects.count(object) > 0;
  }
};

// Everything `who` receives from the oldest event, with `filter`, until
// the stream has been quiet for a moment (the log is written by then).
Seen Follow(Env& env, Who who, const v1::ChangeFilter& filter = {}) {
  auto stub = v1::ChangeService::NewStub(env.channel());
  auto context = ClientContext(TokenOf(who), absl::Seconds(2));
  v1::WatchChangesRequest request;
  *request.mutable_filter() = filter;
  auto reader = stub->WatchChanges(context.get(), request);
  Seen seen;
  v1::WatchChangesResponse response;
  while (reader->Read(&response)) {
    for (const v1::Change& change : response.changes()) {
      for (const v1::ChangedObject& o : change.objects()) {
        const std::string line = ObjectLine(o);
        seen.objects.insert(line.substr(0, line.find(' ', line.find(' ') + 1)));
        seen.patient_refs += !o.booking().patient_ref().empty() ||
                             !o.booking().orientation_ref().empty();
      }
    }
  }
  // The deadline ends the stream; anything else is an error.
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  return seen;
}

TEST_F(AccessTest, ChangeFeedsSendOnlyWhatEachPrincipalMayRead) {
  Env& e = *env_;
  const std::string royan = e.Publish(kFeedA, "pa-royan");
  const std::string royan_regulation =
      e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_REGULATION);
  const std::string rochelle = e.Publish(kFeedA, "pa-rochelle");
  const std::string royan_b = e.Publish(kFeedB, "pb-royan");
  v1::Hold hold_a, hold_b;
  v1::Booking booking_a, booking_b;
  ASSERT_TRUE(e.Hold(kRegA, royan, &hold_a).ok());
  ASSERT_TRUE(e.Confirm(kRegA, hold_a, &booking_a).ok());
  ASSERT_TRUE(e.Hold(kRegB, rochelle, &hold_b).ok());
  ASSERT_TRUE(e.Confirm(kRegB, hold_b, &booking_b).ok());
  const std::string slot = "slot ", booking = "booking ", pro = "professional ";

  const Seen admin = Follow(e, kAdmin);
  for (const std::string& id : {royan, royan_regulation, rochelle, royan_b}) {
    EXPECT_TRUE(admin.has(slot + id)) << id;
  }
  EXPECT_TRUE(admin.has(booking + booking_a.id()));
  EXPECT_TRUE(admin.has(booking + booking_b.id()));
  EXPECT_TRUE(admin.has("territory t-royan"));

  // Feeds: all the slots of their own professionals and the bookings on
  // them; of other vendors', what GetSlot shows them (public and
  // professionals-only slots), never a regulation slot nor a booking.
  const Seen feed_a = Follow(e, kFeedA);
  EXPECT_TRUE(feed_a.has(slot + royan_regulation));
  EXPECT_TRUE(feed_a.has(slot + rochelle));
  EXPECT_TRUE(feed_a.has(booking + booking_a.id()));
  EXPECT_TRUE(feed_a.has(booking + booking_b.id()));
  EXPECT_TRUE(feed_a.has(slot + royan_b));
  const Seen feed_b = Follow(e, kFeedB);
  EXPECT_TRUE(feed_b.has(slot + royan_b));
  EXPECT_TRUE(feed_b.has(slot + royan));
  EXPECT_FALSE(feed_b.has(slot + royan_regulation));
  EXPECT_FALSE(feed_b.has(booking + booking_a.id()));
  EXPECT_FALSE(feed_b.has(booking + booking_b.id()));

  // Regulators: their scope and their organisation's bookings.
  const Seen reg_a = Follow(e, kRegA);
  EXPECT_TRUE(reg_a.has(slot + royan_regulation));
  EXPECT_TRUE(reg_a.has(slot + royan_b));
  EXPECT_TRUE(reg_a.has(booking + booking_a.id()));
  EXPECT_FALSE(reg_a.has(slot + rochelle));
  EXPECT_FALSE(reg_a.has(booking + booking_b.id()));
  EXPECT_FALSE(reg_a.has(pro + "pa-rochelle"));
  EXPECT_FALSE(reg_a.has("territory t-rochelle"));
  const Seen reg_b = Follow(e, kRegB);
  EXPECT_TRUE(reg_b.has(slot + rochelle));
  EXPECT_TRUE(reg_b.has(booking + booking_b.id()));
  EXPECT_FALSE(reg_b.has(slot + royan));
  EXPECT_FALSE(reg_b.has(booking + booking_a.id()));

  // The reader: public slots only, no booking.
  const Seen reader = Follow(e, kReader);
  EXPECT_TRUE(reader.has(slot + royan));
  EXPECT_TRUE(reader.has(slot + royan_b));
  EXPECT_FALSE(reader.has(slot + royan_regulation));
  EXPECT_FALSE(reader.has(booking + booking_a.id()));
  EXPECT_FALSE(reader.has(booking + booking_b.id()));

  for (const Seen* seen : {&admin, &feed_a, &feed_b, &reg_a, &reg_b, &reader}) {
    EXPECT_EQ(seen->patient_refs, 0);
  }

  // Filters narrow what the caller may see, never widen it.
  v1::ChangeFilter rochelle_only;
  rochelle_only.add_territory_ids("t-rochelle");
  const Seen admin_rochelle = Follow(e, kAdmin, rochelle_only);
  EXPECT_TRUE(admin_rochelle.has(slot + rochelle));
  EXPECT_FALSE(admin_rochelle.has(slot + royan));
  EXPECT_TRUE(Follow(e, kRegA, rochelle_only).objects.empty());
  v1::ChangeFilter one_professional;
  one_professional.add_professional_ids("pb-royan");
  const Seen only_b = Follow(e, kRegA, one_professional);
  EXPECT_TRUE(only_b.has(slot + royan_b));
  EXPECT_FALSE(only_b.has(slot + royan));
  std::printf(
      "feeds saw %zu (admin), %zu (feed-a), %zu (reg-a), %zu (reader) "
      "objects\n",
      admin.objects.size(), feed_a.objects.size(), reg_a.objects.size(),
      reader.objects.size());
}

// Starting points that cannot be served answer at once, naming why.
TEST_F(AccessTest, ChangeFeedRefusesWhatItCannotServe) {
  auto stub = v1::ChangeService::NewStub(env_->channel());
  const auto status_of = [&](const v1::WatchChangesRequest& request,
                             Who who = kAdmin) {
    auto context = ClientContext(TokenOf(who), absl::Seconds(5));
    auto reader = stub->WatchChanges(context.get(), request);
    v1::WatchChangesResponse response;
    while (reader->Read(&response)) {
    }
    return reader->Finish();
  };
  v1::WatchChangesRequest future;
  future.set_after_sequence(1'000'000);
  grpc::Status status = status_of(future);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(status.error_message().find("beyond the last event"),
            std::string::npos);
  v1::WatchChangesRequest both;
  both.set_snapshot(true);
  both.set_from_now(true);
  EXPECT_EQ(status_of(both).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::WatchChangesRequest bad_filter;
  bad_filter.mutable_filter()->add_territory_ids("not an id");
  status = status_of(bad_filter);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("filter.territory_ids"),
            std::string::npos);
  auto context = ClientContext("not-a-token", absl::Seconds(5));
  auto reader = stub->WatchChanges(context.get(), v1::WatchChangesRequest());
  v1::WatchChangesResponse response;
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace creneau::testing

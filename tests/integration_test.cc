// Integration tests: the real creneaud binary on a free loopback port,
// exercised RPC by RPC, including the errors a new user would run into.
#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

using ::testing::HasSubstr;

class IntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(dir_->Sub("data"));
    const absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    slots_ = server_->Slots().release();
    orientation_ = server_->Orientation().release();
    v1::UpsertProfessionalsRequest request;
    request.set_request_id("setup-professionals");
    *request.add_professionals() = ApiProfessional("gp-royan");
    *request.add_professionals() =
        ApiProfessional("gp-didonne", 45.6031, -0.9969);
    *request.add_professionals() = ApiProfessional(
        "nurse-royan", kRoyanLat, kRoyanLng, v1::PROFESSION_NURSE);
    v1::UpsertProfessionalsResponse response;
    const grpc::Status status =
        slots_->UpsertProfessionals(ClientContext().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  static void TearDownTestSuite() {
    delete slots_;
    delete orientation_;
    delete server_;
    delete dir_;
  }

  // Publishes slots with a fresh request id; returns the status.
  static grpc::Status Publish(std::vector<v1::Slot> slots,
                              v1::PublishSlotsResponse* out = nullptr) {
    static int n = 0;
    v1::PublishSlotsRequest request;
    request.set_request_id(absl::StrCat("publish-", ++n));
    for (auto& s : slots) *request.add_slots() = std::move(s);
    v1::PublishSlotsResponse response;
    return slots_->PublishSlots(ClientContext().get(), request,
                                out ? out : &response);
  }
  static grpc::Status Hold(const std::string& slot_id, v1::Hold* hold,
                           int ttl_s = 0) {
    static int n = 0;
    v1::HoldSlotRequest request;
    request.set_request_id(absl::StrCat("hold-", ++n));
    request.set_slot_id(slot_id);
    if (ttl_s > 0) request.mutable_ttl()->set_seconds(ttl_s);
    v1::HoldSlotResponse response;
    grpc::Status status =
        orientation_->HoldSlot(ClientContext().get(), request, &response);
    *hold = response.hold();
    return status;
  }
  static grpc::Status Confirm(const std::string& slot_id,
                              const std::string& token, v1::Booking* booking,
                              const std::string& request_id = "") {
    static int n = 0;
    v1::ConfirmBookingRequest request;
    request.set_request_id(request_id.empty() ? absl::StrCat("confirm-", ++n)
                                              : request_id);
    request.set_slot_id(slot_id);
    request.set_hold_token(token);
    request.set_patient_ref("patient-42");
    v1::ConfirmBookingResponse response;
    grpc::Status status =
        orientation_->ConfirmBooking(ClientContext().get(), request, &response);
    *booking = response.booking();
    return status;
  }
  static std::set<std::string> FoundIds(
      v1::SearchSlotsRequest request = RoyanSearch()) {
    v1::SearchSlotsResponse response;
    const grpc::Status status =
        orientation_->SearchSlots(ClientContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::set<std::string> ids;
    for (const auto& m : response.matches()) ids.insert(m.slot().id());
    return ids;
  }
  static v1::Slot GetSlot(const std::string& id,
                          grpc::Status* status = nullptr) {
    v1::GetSlotRequest request;
    request.set_slot_id(id);
    v1::GetSlotResponse response;
    grpc::Status s = slots_->GetSlot(ClientContext().get(), request, &response);
    if (status) *status = s;
    return response.slot();
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static v1::SlotService::Stub* slots_;
  static v1::OrientationService::Stub* orientation_;
};
TempDir* IntegrationTest::dir_ = nullptr;
ServerProcess* IntegrationTest::server_ = nullptr;
v1::SlotService::Stub* IntegrationTest::slots_ = nullptr;
v1::OrientationService::Stub* IntegrationTest::orientation_ = nullptr;

TEST_F(IntegrationTest, HealthSaysServing) {
  EXPECT_EQ(server_->Health(), "SERVING");
}

TEST_F(IntegrationTest, SearchReturnsRankedSlotsWithDistancesAndReasons) {
  ASSERT_TRUE(Publish({ApiSlot("search-a", "gp-didonne", 3),
                       ApiSlot("search-b", "gp-royan", 3),
                       ApiSlot("search-c", "gp-royan", 2)})
                  .ok());
  v1::SearchSlotsRequest request = RoyanSearch();
  request.set_radius_m(8000);
  v1::SearchSlotsResponse response;
  ASSERT_TRUE(
      orientation_->SearchSlots(ClientContext().get(), request, &response)
          .ok());
  std::vector<std::string> order;
  for (const auto& m : response.matches()) {
    if (absl::StartsWith(m.slot().id(), "search-"))
      order.push_back(m.slot().id());
  }
  EXPECT_THAT(order,
              ::testing::ElementsAre("search-c", "search-b", "search-a"));
  const auto& first = response.matches(0);
  EXPECT_GE(first.distance_m(), 0);
  EXPECT_FALSE(first.reason_text().empty());
  EXPECT_EQ(first.professional().id(), first.slot().professional_id());
  EXPECT_THAT(response.explanation(),
              HasSubstr("within 8.0 km of Royan (17306)"));
  EXPECT_EQ(response.radius_m(), 8000);

  v1::SearchSlotsRequest by_point = RoyanSearch();
  by_point.mutable_point()->set_latitude(45.6031);
  by_point.mutable_point()->set_longitude(-0.9969);
  by_point.set_order(v1::SEARCH_ORDER_NEAREST);
  ASSERT_TRUE(
      orientation_->SearchSlots(ClientContext().get(), by_point, &response)
          .ok());
  ASSERT_GT(response.matches_size(), 0);
  EXPECT_EQ(response.matches(0).slot().professional_id(), "gp-didonne");
}

TEST_F(IntegrationTest, HoldConfirmGetCancelAndSecondConfirmRefused) {
  ASSERT_TRUE(Publish({ApiSlot("book-1", "gp-royan", 5)}).ok());
  v1::Hold hold;
  ASSERT_TRUE(Hold("book-1", &hold).ok());
  EXPECT_EQ(hold.token().size(), 32u);
  EXPECT_FALSE(FoundIds().contains("book-1"))
      << "a held slot leaves searches at once";
  EXPECT_EQ(GetSlot("book-1").state(), v1::SLOT_STATE_HELD);

  v1::Booking booking;
  ASSERT_TRUE(Confirm("book-1", hold.token(), &booking, "confirm-book-1").ok());
  EXPECT_EQ(booking.status(), v1::BOOKING_STATUS_BOOKED);
  EXPECT_EQ(booking.patient_ref(), "patient-42");
  v1::Booking replayed;
  ASSERT_TRUE(
      Confirm("book-1", hold.token(), &replayed, "confirm-book-1").ok());
  EXPECT_EQ(replayed.id(), booking.id()) << "a retry gets the first answer";

  v1::Booking again;
  const grpc::Status second = Confirm("book-1", hold.token(), &again);
  EXPECT_EQ(second.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(second.error_message(),
              HasSubstr("hold_token: already confirmed"));

  v1::GetBookingRequest get;
  get.set_booking_id(booking.id());
  v1::GetBookingResponse got;
  ASSERT_TRUE(orientation_->GetBooking(ClientContext().get(), get, &got).ok());
  EXPECT_EQ(got.booking().slot_id(), "book-1");
  EXPECT_EQ(GetSlot("book-1").state(), v1::SLOT_STATE_FULL);

  v1::CancelBookingRequest cancel;
  cancel.set_request_id("cancel-book-1");
  cancel.set_booking_id(booking.id());
  cancel.set_reason_code(v1::CANCEL_REASON_PATIENT_BETTER);
  v1::CancelBookingResponse cancelled;
  ASSERT_TRUE(
      orientation_->CancelBooking(ClientContext().get(), cancel, &cancelled)
          .ok());
  EXPECT_EQ(cancelled.booking().status(), v1::BOOKING_STATUS_CANCELLED);
  EXPECT_TRUE(FoundIds().contains("book-1"))
      << "a cancelled booking frees its place";
}

// A GP in La Reunion, searched and booked by a client anywhere: every
// slot and booking the API returns names the professional's zone, so a
// regulator in Paris tells the patient the time of Saint-Denis.
TEST_F(IntegrationTest, SlotsAndBookingsCarryTheProfessionalsZone) {
  v1::UpsertProfessionalsRequest upsert;
  upsert.set_request_id("setup-reunion");
  v1::Professional gp = ApiProfessional("gp-stdenis", -20.8823, 55.4504);
  gp.set_commune_code("97411");
  gp.set_time_zone("Indian/Reunion");
  *upsert.add_professionals() = gp;
  v1::UpsertProfessionalsResponse upserted;
  ASSERT_TRUE(
      slots_->UpsertProfessionals(ClientContext().get(), upsert, &upserted)
          .ok());
  ASSERT_TRUE(Publish({ApiSlot("reunion-1", "gp-stdenis", 3)}).ok());

  v1::SearchSlotsRequest search = RoyanSearch();
  search.set_commune_code("97411");
  v1::SearchSlotsResponse found;
  ASSERT_TRUE(
      orientation_->SearchSlots(ClientContext().get(), search, &found).ok());
  ASSERT_EQ(found.matches_size(), 1);
  EXPECT_EQ(found.matches(0).slot().time_zone(), "Indian/Reunion");
  EXPECT_EQ(GetSlot("reunion-1").time_zone(), "Indian/Reunion");
  v1::ListSlotsRequest list;
  list.set_professional_id("gp-stdenis");
  v1::ListSlotsResponse listed;
  ASSERT_TRUE(slots_->ListSlots(ClientContext().get(), list, &listed).ok());
  ASSERT_EQ(listed.slots_size(), 1);
  EXPECT_EQ(listed.slots(0).time_zone(), "Indian/Reunion");

  v1::Hold hold;
  ASSERT_TRUE(Hold("reunion-1", &hold).ok());
  v1::Booking booking;
  ASSERT_TRUE(Confirm("reunion-1", hold.token(), &booking).ok());
  EXPECT_EQ(booking.time_zone(), "Indian/Reunion");
  v1::GetBookingRequest get;
  get.set_booking_id(booking.id());
  v1::GetBookingResponse got;
  ASSERT_TRUE(orientation_->GetBooking(ClientContext().get(), get, &got).ok());
  EXPECT_EQ(got.booking().time_zone(), "Indian/Reunion");
  v1::ListBookingsRequest bookings;
  bookings.set_professional_id("gp-stdenis");
  v1::ListBookingsResponse booked;
  ASSERT_TRUE(
      orientation_->ListBookings(ClientContext().get(), bookings, &booked)
          .ok());
  ASSERT_EQ(booked.bookings_size(), 1);
  EXPECT_EQ(booked.bookings(0).time_zone(), "Indian/Reunion");
  // A Royan slot names Paris.
  ASSERT_TRUE(Publish({ApiSlot("royan-zone", "gp-royan", 4)}).ok());
  EXPECT_EQ(GetSlot("royan-zone").time_zone(), "Europe/Paris");
}

TEST_F(IntegrationTest, ReleaseGivesThePlaceBack) {
  ASSERT_TRUE(Publish({ApiSlot("release-1", "gp-royan", 6)}).ok());
  v1::Hold hold;
  ASSERT_TRUE(Hold("release-1", &hold).ok());
  v1::ReleaseHoldRequest request;
  request.set_request_id("release-1");
  request.set_slot_id("release-1");
  request.set_hold_token(hold.token());
  v1::ReleaseHoldResponse response;
  ASSERT_TRUE(
      orientation_->ReleaseHold(ClientContext().get(), request, &response)
          .ok());
  EXPECT_EQ(response.hold().slot_id(), "release-1");
  EXPECT_TRUE(FoundIds().contains("release-1"));
  v1::Booking booking;
  EXPECT_EQ(Confirm("release-1", hold.token(), &booking).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(IntegrationTest, AnExpiredHoldFreesItsPlaceAndCannotBeConfirmed) {
  ASSERT_TRUE(Publish({ApiSlot("expire-1", "gp-royan", 7)}).ok());
  v1::Hold hold;
  ASSERT_TRUE(Hold("expire-1", &hold, 10).ok());
  EXPECT_FALSE(FoundIds().contains("expire-1"));
  // The maintenance thread expires it within a second of its deadline.
  absl::SleepFor(absl::Seconds(12));
  EXPECT_TRUE(FoundIds().contains("expire-1"));
  v1::Booking booking;
  const grpc::Status status = Confirm("expire-1", hold.token(), &booking);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("expired at"));
}

TEST_F(IntegrationTest, AHoldTokenOfAnotherSlotIsRefused) {
  ASSERT_TRUE(Publish({ApiSlot("tok-1", "gp-royan", 8),
                       ApiSlot("tok-2", "gp-royan", 8)})
                  .ok());
  v1::Hold hold;
  ASSERT_TRUE(Hold("tok-1", &hold).ok());
  v1::Booking booking;
  const grpc::Status status = Confirm("tok-2", hold.token(), &booking);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(),
              HasSubstr("hold_token: the hold is for another slot"));
  EXPECT_EQ(Confirm("tok-1", "0123456789abcdef0123456789abcdef", &booking)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Confirm("tok-1", "not-a-token", &booking).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntegrationTest, PublishErrorsNameTheFieldAndChangeNothing) {
  const auto code_and_message = [](std::vector<v1::Slot> slots) {
    const grpc::Status status = Publish(std::move(slots));
    return std::make_pair(status.error_code(), status.error_message());
  };
  v1::Slot negative = ApiSlot("bad-1", "gp-royan");
  negative.mutable_duration()->set_seconds(-900);
  EXPECT_EQ(
      code_and_message({ApiSlot("ok-1", "gp-royan"), negative}),
      std::make_pair(
          grpc::StatusCode::INVALID_ARGUMENT,
          std::string(
              "slots[1].duration: must be between 5 minutes and 12 hours")));
  v1::Slot no_start = ApiSlot("bad-2", "gp-royan");
  no_start.clear_start_time();
  EXPECT_EQ(code_and_message({no_start}).second,
            "slots[0].start_time: required");
  v1::Slot past = ApiSlot("bad-3", "gp-royan", -1);
  EXPECT_EQ(code_and_message({past}).second,
            "slots[0].start_time: must be in the future");
  v1::Slot far = ApiSlot("bad-4", "gp-royan", 24 * 400);
  EXPECT_EQ(code_and_message({far}).second,
            "slots[0].start_time: must be at most 366 days ahead");
  EXPECT_EQ(code_and_message({ApiSlot("bad-5", "nobody")}).first,
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::Slot no_modality = ApiSlot("bad-6", "gp-royan");
  no_modality.set_modality(v1::MODALITY_UNSPECIFIED);
  EXPECT_EQ(code_and_message({no_modality}).second,
            "slots[0].modality: required");
  std::vector<v1::Slot> huge;
  for (int i = 0; i < 5000; ++i)
    huge.push_back(ApiSlot(absl::StrCat("huge-", i), "gp-royan"));
  EXPECT_EQ(code_and_message(huge).second,
            "slots: at most 1000 per request, got 5000");
  for (const char* id : {"ok-1", "bad-1", "bad-3", "huge-0", "huge-4999"}) {
    grpc::Status status;
    GetSlot(id, &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
        << id << " was half-applied";
  }

  v1::PublishSlotsRequest no_id;
  *no_id.add_slots() = ApiSlot("x", "gp-royan");
  v1::PublishSlotsResponse response;
  const grpc::Status status =
      slots_->PublishSlots(ClientContext().get(), no_id, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id: required"));
}

TEST_F(IntegrationTest, SearchErrorsNameTheField) {
  const auto search = [](v1::SearchSlotsRequest request) {
    v1::SearchSlotsResponse response;
    return orientation_->SearchSlots(ClientContext().get(), request, &response);
  };
  v1::SearchSlotsRequest r = RoyanSearch();
  r.set_radius_m(10'000'000);
  EXPECT_EQ(search(r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(search(r).error_message(), HasSubstr("radius_m"));
  r = RoyanSearch();
  r.set_commune_code("99999");
  EXPECT_EQ(search(r).error_code(), grpc::StatusCode::NOT_FOUND);
  r = RoyanSearch();
  r.clear_commune_code();
  EXPECT_THAT(search(r).error_message(), HasSubstr("origin"));
  r = RoyanSearch();
  r.mutable_point()->set_latitude(std::nan(""));
  EXPECT_THAT(search(r).error_message(), HasSubstr("point"));
  r = RoyanSearch();
  r.set_limit(1000);
  EXPECT_THAT(search(r).error_message(), HasSubstr("limit"));
  r = RoyanSearch();
  r.set_profession(v1::PROFESSION_UNSPECIFIED);
  EXPECT_THAT(search(r).error_message(), HasSubstr("profession: required"));
}

TEST_F(IntegrationTest, EmptyAnswersSayWhy) {
  v1::SearchSlotsRequest r = RoyanSearch();
  r.set_profession(v1::PROFESSION_DENTIST);
  v1::SearchSlotsResponse response;
  ASSERT_TRUE(
      orientation_->SearchSlots(ClientContext().get(), r, &response).ok());
  EXPECT_EQ(response.matches_size(), 0);
  EXPECT_EQ(response.empty_reason(), v1::EMPTY_REASON_NO_SUPPLY_IN_REACH);
  EXPECT_THAT(response.explanation(), HasSubstr("No dentists practise within"));
  r.set_profession(v1::PROFESSION_NURSE);
  ASSERT_TRUE(
      orientation_->SearchSlots(ClientContext().get(), r, &response).ok());
  EXPECT_EQ(response.empty_reason(), v1::EMPTY_REASON_OUTSIDE_WINDOW);
}

TEST_F(IntegrationTest, WithdrawAndListSlots) {
  ASSERT_TRUE(Publish({ApiSlot("list-1", "gp-didonne", 10),
                       ApiSlot("list-2", "gp-didonne", 11),
                       ApiSlot("list-3", "gp-didonne", 12)})
                  .ok());
  v1::WithdrawSlotsRequest withdraw;
  withdraw.set_request_id("withdraw-list-2");
  withdraw.add_slot_ids("list-2");
  v1::WithdrawSlotsResponse withdrawn;
  ASSERT_TRUE(
      slots_->WithdrawSlots(ClientContext().get(), withdraw, &withdrawn).ok());
  EXPECT_EQ(withdrawn.withdrawn_count(), 1);
  EXPECT_EQ(GetSlot("list-2").state(), v1::SLOT_STATE_WITHDRAWN);
  EXPECT_FALSE(FoundIds().contains("list-2"));
  withdraw.set_request_id("withdraw-unknown");
  withdraw.set_slot_ids(0, "no-such-slot");
  EXPECT_EQ(slots_->WithdrawSlots(ClientContext().get(), withdraw, &withdrawn)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  std::vector<std::string> listed;
  v1::ListSlotsRequest list;
  list.set_professional_id("gp-didonne");
  list.set_page_size(1);
  for (int page = 0; page < 20; ++page) {
    v1::ListSlotsResponse response;
    ASSERT_TRUE(slots_->ListSlots(ClientContext().get(), list, &response).ok());
    for (const auto& s : response.slots()) listed.push_back(s.id());
    if (response.next_page_token().empty()) break;
    list.set_page_token(response.next_page_token());
  }
  EXPECT_TRUE(std::find(listed.begin(), listed.end(), "list-1") !=
              listed.end());
  EXPECT_TRUE(std::find(listed.begin(), listed.end(), "list-2") ==
              listed.end());
  list.set_page_token("garbage!");
  v1::ListSlotsResponse response;
  EXPECT_EQ(
      slots_->ListSlots(ClientContext().get(), list, &response).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IntegrationTest, RetriesAreIdempotentAndAnotherPayloadIsRefused) {
  v1::UpsertProfessionalsRequest request;
  request.set_request_id("upsert-twice");
  *request.add_professionals() = ApiProfessional("gp-twice");
  v1::UpsertProfessionalsResponse first, second;
  ASSERT_TRUE(
      slots_->UpsertProfessionals(ClientContext().get(), request, &first).ok());
  ASSERT_TRUE(
      slots_->UpsertProfessionals(ClientContext().get(), request, &second)
          .ok());
  EXPECT_EQ(first.created_count(), 1);
  EXPECT_EQ(second.created_count(), 1) << "the retry gets the first answer";
  request.mutable_professionals(0)->set_display_name("Dr Changed");
  const grpc::Status status =
      slots_->UpsertProfessionals(ClientContext().get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
}

TEST_F(IntegrationTest, MessagesOverTheSizeLimitAreRefused) {
  v1::UpsertProfessionalsRequest request;
  request.set_request_id("too-big");
  for (int i = 0; i < 1000; ++i) {
    v1::Professional p = ApiProfessional(absl::StrCat("big-", i));
    p.set_cpts_id(std::string(5000, 'x'));
    *request.add_professionals() = p;
  }
  v1::UpsertProfessionalsResponse response;
  EXPECT_EQ(
      slots_->UpsertProfessionals(ClientContext().get(), request, &response)
          .error_code(),
      grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(IntegrationTest, ReflectionListsTheServices) {
  grpc::GenericStub stub(server_->Channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  // ServerReflectionRequest{list_services: ""}: field 7, length-delimited,
  // empty.
  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer buffer(&slice, 1);
  call->Write(buffer, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer reply;
  call->Read(&reply, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("creneau.v1.OrientationService"));
  EXPECT_THAT(bytes, HasSubstr("creneau.v1.SlotService"));
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status finish;
  call->Finish(&finish, reinterpret_cast<void*>(5));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_TRUE(finish.ok()) << finish.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace creneau::testing

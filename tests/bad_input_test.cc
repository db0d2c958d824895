// Bad input catalogue: for every RPC, missing, out-of-range, oversized,
// malformed (NaN coordinates, far-future dates) and conflicting inputs, sent
// to the real server. Each must get its precise status code with the
// offending field named, and leave the stored state exactly as it was
// (professionals, slots, bookings and idempotency records, compared before
// and after, and after a restart). Bad UTF-8 on the wire never reaches
// creneau's code: gRPC 1.51 refuses it with UNIMPLEMENTED (see below).
#include <signal.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_client.h"
#include "tests/support/server_process.h"

namespace creneau::testing {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  std::function<grpc::Status(ApiClient&)> call;
  grpc::StatusCode code;
  std::string field;  // Must appear in the message.
};

template <typename Req, typename Resp, typename Method>
grpc::Status Send(Method method, const Req& request) {
  Resp response;
  return method(ClientContext().get(), request, &response);
}

#define SLOTS(m) \
  [&](auto* c, auto& q, auto* r) { return api.slots->m(c, q, r); }
#define ORIENT(m) \
  [&](auto* c, auto& q, auto* r) { return api.orientation->m(c, q, r); }

v1::PublishSlotsRequest PublishOf(std::vector<v1::Slot> slots) {
  static int n = 0;
  v1::PublishSlotsRequest r;
  r.set_request_id(absl::StrCat("bad-publish-", ++n));
  for (auto& s : slots) *r.add_slots() = s;
  return r;
}

std::vector<Case> Catalogue(const std::string& token) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Case> cases;
  const auto add = [&](std::string name, grpc::StatusCode code,
                       std::string field,
                       std::function<grpc::Status(ApiClient&)> call) {
    cases.push_back({std::move(name), std::move(call), code, std::move(field)});
  };
  using C = grpc::StatusCode;
  // ---- UpsertProfessionals ----
  add("upsert without request id", C::INVALID_ARGUMENT, "request_id",
      [](ApiClient& api) {
        v1::UpsertProfessionalsRequest r;
        *r.add_professionals() = ApiProfessional("gp-new");
        return Send<v1::UpsertProfessionalsRequest,
                    v1::UpsertProfessionalsResponse>(SLOTS(UpsertProfessionals),
                                                     r);
      });
  add("upsert with NaN latitude", C::INVALID_ARGUMENT, "location",
      [nan](ApiClient& api) {
        v1::UpsertProfessionalsRequest r;
        r.set_request_id("bad-1");
        *r.add_professionals() = ApiProfessional("gp-new", nan, kRoyanLng);
        return Send<v1::UpsertProfessionalsRequest,
                    v1::UpsertProfessionalsResponse>(SLOTS(UpsertProfessionals),
                                                     r);
      });
  add("upsert with latitude 91", C::INVALID_ARGUMENT, "location",
      [](ApiClient& api) {
        v1::UpsertProfessionalsRequest r;
        r.set_request_id("bad-2");
        *r.add_professionals() = ApiProfessional("gp-new", 91, kRoyanLng);
        return Send<v1::UpsertProfessionalsRequest,
                    v1::UpsertProfessionalsResponse>(SLOTS(UpsertProfessionals),
                                                     r);
      });
  add("upsert without profession", C::INVALID_ARGUMENT, "profession",
      [](ApiClient& api) {
        v1::UpsertProfessionalsRequest r;
        r.set_request_id("bad-3");
        *r.add_professionals() = ApiProfessional("gp-new", kRoyanLat, kRoyanLng,
                                                 v1::PROFESSION_UNSPECIFIED);
        return Send<v1::UpsertProfessionalsRequest,
                    v1::UpsertProfessionalsResponse>(SLOTS(UpsertProfessionals),
                                                     r);
      });
  // ---- PublishSlots ----
  add("publish 5,000 slots", C::INVALID_ARGUMENT, "slots", [](ApiClient& api) {
    std::vector<v1::Slot> slots;
    for (int i = 0; i < 5000; ++i)
      slots.push_back(ApiSlot(absl::StrCat("big-", i), "gp-0"));
    return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
        SLOTS(PublishSlots), PublishOf(slots));
  });
  add("publish negative duration", C::INVALID_ARGUMENT, "duration",
      [](ApiClient& api) {
        v1::Slot s = ApiSlot("neg", "gp-0");
        s.mutable_duration()->set_seconds(-900);
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots), PublishOf({s}));
      });
  add("publish in year 2100", C::INVALID_ARGUMENT, "start_time",
      [](ApiClient& api) {
        v1::Slot s = ApiSlot("far", "gp-0");
        s.mutable_start_time()->set_seconds(4'102'444'800);
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots), PublishOf({s}));
      });
  add("publish capacity 101", C::INVALID_ARGUMENT, "capacity",
      [](ApiClient& api) {
        v1::Slot s = ApiSlot("huge", "gp-0");
        s.set_capacity(101);
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots), PublishOf({s}));
      });
  add("publish the same id twice", C::INVALID_ARGUMENT, "slots[1]",
      [](ApiClient& api) {
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots),
            PublishOf({ApiSlot("dup", "gp-0"), ApiSlot("dup", "gp-0")}));
      });
  add("publish for an unknown professional", C::FAILED_PRECONDITION,
      "professional_id", [](ApiClient& api) {
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots), PublishOf({ApiSlot("orphan", "nobody")}));
      });
  add("publish a second batch under a used request id", C::ALREADY_EXISTS,
      "request_id", [](ApiClient& api) {
        v1::PublishSlotsRequest r = PublishOf({ApiSlot("other", "gp-0")});
        r.set_request_id("seed-slots");
        return Send<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
            SLOTS(PublishSlots), r);
      });
  // ---- WithdrawSlots, GetSlot, ListSlots ----
  add("withdraw an unknown slot", C::NOT_FOUND, "slot", [](ApiClient& api) {
    v1::WithdrawSlotsRequest r;
    r.set_request_id("bad-w");
    r.add_slot_ids("nope");
    return Send<v1::WithdrawSlotsRequest, v1::WithdrawSlotsResponse>(
        SLOTS(WithdrawSlots), r);
  });
  add("withdraw a booked slot", C::FAILED_PRECONDITION, "slot",
      [](ApiClient& api) {
        v1::WithdrawSlotsRequest r;
        r.set_request_id("bad-w2");
        r.add_slot_ids("seed-0");
        return Send<v1::WithdrawSlotsRequest, v1::WithdrawSlotsResponse>(
            SLOTS(WithdrawSlots), r);
      });
  add("get a slot without id", C::INVALID_ARGUMENT, "slot_id",
      [](ApiClient& api) {
        return Send<v1::GetSlotRequest, v1::GetSlotResponse>(
            SLOTS(GetSlot), v1::GetSlotRequest());
      });
  add("list with page size -1", C::INVALID_ARGUMENT, "page_size",
      [](ApiClient& api) {
        v1::ListSlotsRequest r;
        r.set_professional_id("gp-0");
        r.set_page_size(-1);
        return Send<v1::ListSlotsRequest, v1::ListSlotsResponse>(
            SLOTS(ListSlots), r);
      });
  add("list with a forged page token", C::INVALID_ARGUMENT, "page_token",
      [](ApiClient& api) {
        v1::ListSlotsRequest r;
        r.set_professional_id("gp-0");
        r.set_page_token("not-a-token");
        return Send<v1::ListSlotsRequest, v1::ListSlotsResponse>(
            SLOTS(ListSlots), r);
      });
  // ---- SearchSlots ----
  const auto search = [](std::function<void(v1::SearchSlotsRequest&)> edit) {
    return [edit](ApiClient& api) {
      v1::SearchSlotsRequest r = RoyanSearch();
      edit(r);
      return Send<v1::SearchSlotsRequest, v1::SearchSlotsResponse>(
          ORIENT(SearchSlots), r);
    };
  };
  add("search from a NaN point", C::INVALID_ARGUMENT, "point",
      search([nan](auto& r) {
        r.mutable_point()->set_latitude(nan);
        r.mutable_point()->set_longitude(0);
      }));
  add("search 10,000 km around", C::INVALID_ARGUMENT, "radius_m",
      search([](auto& r) { r.set_radius_m(10'000'000); }));
  add("search a 40-day window", C::INVALID_ARGUMENT, "window_end",
      search([](auto& r) {
        r.mutable_window_start()->set_seconds(absl::ToUnixSeconds(absl::Now()));
        r.mutable_window_end()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                            40 * 86400);
      }));
  add("search limit 101", C::INVALID_ARGUMENT, "limit",
      search([](auto& r) { r.set_limit(101); }));
  add("search an unknown commune", C::NOT_FOUND, "commune_code",
      search([](auto& r) { r.set_commune_code("99999"); }));
  add("search without profession", C::INVALID_ARGUMENT, "profession",
      search([](auto& r) { r.set_profession(v1::PROFESSION_UNSPECIFIED); }));
  // ---- HoldSlot, ConfirmBooking, ReleaseHold, CancelBooking, GetBooking ----
  add("hold with a negative TTL", C::INVALID_ARGUMENT, "ttl",
      [](ApiClient& api) {
        v1::HoldSlotRequest r;
        r.set_request_id("bad-h1");
        r.set_slot_id("seed-1");
        r.mutable_ttl()->set_seconds(-5);
        return Send<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot),
                                                               r);
      });
  add("hold for three hours", C::INVALID_ARGUMENT, "ttl", [](ApiClient& api) {
    v1::HoldSlotRequest r;
    r.set_request_id("bad-h2");
    r.set_slot_id("seed-1");
    r.mutable_ttl()->set_seconds(3 * 3600);
    return Send<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot), r);
  });
  add("hold an unknown slot", C::NOT_FOUND, "slot_id", [](ApiClient& api) {
    v1::HoldSlotRequest r;
    r.set_request_id("bad-h3");
    r.set_slot_id("ghost");
    return Send<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot), r);
  });
  add("hold a full slot", C::FAILED_PRECONDITION, "slot_id",
      [](ApiClient& api) {
        v1::HoldSlotRequest r;
        r.set_request_id("bad-h4");
        r.set_slot_id("seed-0");
        return Send<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot),
                                                               r);
      });
  add("confirm with someone else's token", C::FAILED_PRECONDITION, "hold_token",
      [token](ApiClient& api) {
        v1::ConfirmBookingRequest r;
        r.set_request_id("bad-c1");
        r.set_slot_id("seed-2");
        r.set_hold_token(token);
        r.set_patient_ref("p");
        return Send<v1::ConfirmBookingRequest, v1::ConfirmBookingResponse>(
            ORIENT(ConfirmBooking), r);
      });
  add("confirm without patient", C::INVALID_ARGUMENT, "patient_ref",
      [token](ApiClient& api) {
        v1::ConfirmBookingRequest r;
        r.set_request_id("bad-c2");
        r.set_slot_id("seed-1");
        r.set_hold_token(token);
        return Send<v1::ConfirmBookingRequest, v1::ConfirmBookingResponse>(
            ORIENT(ConfirmBooking), r);
      });
  add("confirm with a malformed token", C::INVALID_ARGUMENT, "hold_token",
      [](ApiClient& api) {
        v1::ConfirmBookingRequest r;
        r.set_request_id("bad-c3");
        r.set_slot_id("seed-1");
        r.set_hold_token("zz");
        r.set_patient_ref("p");
        return Send<v1::ConfirmBookingRequest, v1::ConfirmBookingResponse>(
            ORIENT(ConfirmBooking), r);
      });
  add("release with the wrong slot", C::FAILED_PRECONDITION, "hold_token",
      [token](ApiClient& api) {
        v1::ReleaseHoldRequest r;
        r.set_request_id("bad-r1");
        r.set_slot_id("seed-2");
        r.set_hold_token(token);
        return Send<v1::ReleaseHoldRequest, v1::ReleaseHoldResponse>(
            ORIENT(ReleaseHold), r);
      });
  add("cancel an unknown booking", C::NOT_FOUND, "booking_id",
      [](ApiClient& api) {
        v1::CancelBookingRequest r;
        r.set_request_id("bad-x1");
        r.set_booking_id("bk-999999999999");
        return Send<v1::CancelBookingRequest, v1::CancelBookingResponse>(
            ORIENT(CancelBooking), r);
      });
  add("get a booking without id", C::INVALID_ARGUMENT, "booking_id",
      [](ApiClient& api) {
        return Send<v1::GetBookingRequest, v1::GetBookingResponse>(
            ORIENT(GetBooking), v1::GetBookingRequest());
      });
  return cases;
}

// The accepted writes of the set-up, kept so that the snapshot can replay
// them: a replay under the same request id and payload answers from the
// stored idempotency record, so it shows whether a bad request overwrote it.
struct Seed {
  v1::UpsertProfessionalsRequest professionals;
  v1::PublishSlotsRequest slots;
  v1::HoldSlotRequest hold;
  v1::ConfirmBookingRequest confirm;
  v1::HoldSlotRequest live_hold;
};

// Everything a bad request could have changed, as bytes: gp-0's slots, the
// booking, the professionals as searches show them, whether the ids the
// catalogue names exist, and the idempotency records (replayed).
std::string Snapshot(ApiClient& api, const Seed& seed,
                     const std::string& booking_id) {
  std::string out;
  v1::ListSlotsRequest list;
  list.set_professional_id("gp-0");
  list.set_page_size(100);
  list.set_include_withdrawn(true);
  v1::ListSlotsResponse slots;
  EXPECT_TRUE(api.slots->ListSlots(ClientContext().get(), list, &slots).ok());
  out += slots.SerializeAsString();
  v1::Booking booking;
  EXPECT_TRUE(api.GetBooking(booking_id, &booking).ok());
  out += booking.SerializeAsString();
  for (const char* slot_id :
       {"big-0", "neg", "far", "huge", "dup", "orphan", "other", "ghost"}) {
    v1::GetSlotRequest other;
    other.set_slot_id(slot_id);
    v1::GetSlotResponse none;
    out += absl::StrCat(
        slot_id, "=",
        api.slots->GetSlot(ClientContext().get(), other, &none).error_code());
  }
  // Professionals: those the catalogue tried to create exist or not, and
  // gp-0 as a search shows it (its profession, location, name).
  for (const char* professional_id : {"gp-0", "gp-new", "nobody"}) {
    v1::ListSlotsRequest probe;
    probe.set_professional_id(professional_id);
    v1::ListSlotsResponse ignored;
    out += absl::StrCat(
        professional_id, "=",
        api.slots->ListSlots(ClientContext().get(), probe, &ignored)
            .error_code());
  }
  v1::SearchSlotsResponse found;
  EXPECT_TRUE(
      api.orientation->SearchSlots(ClientContext().get(), RoyanSearch(), &found)
          .ok());
  EXPECT_GT(found.matches_size(), 0);
  for (const v1::SlotMatch& match : found.matches()) {
    out += match.slot().SerializeAsString();
    out += match.professional().SerializeAsString();
  }
  // Idempotency records: every accepted request replayed gets its first
  // answer.
  v1::UpsertProfessionalsResponse upserted;
  EXPECT_TRUE(api.slots
                  ->UpsertProfessionals(ClientContext().get(),
                                        seed.professionals, &upserted)
                  .ok());
  v1::PublishSlotsResponse published;
  EXPECT_TRUE(
      api.slots->PublishSlots(ClientContext().get(), seed.slots, &published)
          .ok());
  v1::HoldSlotResponse held, live;
  EXPECT_TRUE(
      api.orientation->HoldSlot(ClientContext().get(), seed.hold, &held).ok());
  EXPECT_TRUE(
      api.orientation->HoldSlot(ClientContext().get(), seed.live_hold, &live)
          .ok());
  v1::ConfirmBookingResponse confirmed;
  EXPECT_TRUE(
      api.orientation
          ->ConfirmBooking(ClientContext().get(), seed.confirm, &confirmed)
          .ok());
  for (const google::protobuf::Message* m :
       std::initializer_list<const google::protobuf::Message*>{
           &upserted, &published, &held, &live, &confirmed}) {
    out += m->SerializeAsString();
  }
  return out;
}

// Sends `request` and returns its answer, failing the test when refused.
template <typename Request, typename Response, typename Call>
Response Accepted(Call call, const Request& request) {
  Response response;
  const grpc::Status status = call(ClientContext().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

TEST(BadInputTest, EveryRpcRefusesPreciselyAndChangesNothing) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--log_level=warn"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient api(server);
  Seed seed;
  seed.professionals.set_request_id("seed-pros");
  *seed.professionals.add_professionals() = ApiProfessional("gp-0");
  Accepted<v1::UpsertProfessionalsRequest, v1::UpsertProfessionalsResponse>(
      SLOTS(UpsertProfessionals), seed.professionals);
  seed.slots.set_request_id("seed-slots");
  for (int i = 0; i < 3; ++i) {
    *seed.slots.add_slots() = ApiSlot(absl::StrCat("seed-", i), "gp-0", 2 + i);
  }
  Accepted<v1::PublishSlotsRequest, v1::PublishSlotsResponse>(
      SLOTS(PublishSlots), seed.slots);
  seed.hold.set_request_id("seed-hold");
  seed.hold.set_slot_id("seed-0");
  seed.hold.mutable_ttl()->set_seconds(600);
  const v1::Hold booked_hold =
      Accepted<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot),
                                                          seed.hold)
          .hold();
  seed.confirm.set_request_id("seed-confirm");
  seed.confirm.set_slot_id("seed-0");
  seed.confirm.set_hold_token(booked_hold.token());
  seed.confirm.set_patient_ref("p-seed");
  const v1::Booking booking =
      Accepted<v1::ConfirmBookingRequest, v1::ConfirmBookingResponse>(
          ORIENT(ConfirmBooking), seed.confirm)
          .booking();
  seed.live_hold = seed.hold;
  seed.live_hold.set_request_id("seed-live-hold");
  seed.live_hold.set_slot_id("seed-1");
  const v1::Hold live_hold =
      Accepted<v1::HoldSlotRequest, v1::HoldSlotResponse>(ORIENT(HoldSlot),
                                                          seed.live_hold)
          .hold();
  ASSERT_FALSE(HasFailure());

  const std::string before = Snapshot(api, seed, booking.id());
  int checked = 0;
  for (const Case& c : Catalogue(live_hold.token())) {
    const grpc::Status status = c.call(api);
    EXPECT_EQ(status.error_code(), c.code)
        << c.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.field)) << c.name;
    EXPECT_EQ(Snapshot(api, seed, booking.id()), before)
        << c.name << " changed the state";
    ++checked;
  }

  // Bad UTF-8 in a string field, sent as raw bytes (a conforming client
  // cannot even encode it): the protobuf parser inside gRPC refuses the
  // request before any handler runs, and gRPC 1.51's callback API answers
  // such a request with UNIMPLEMENTED and no message (server_callback_
  // handlers.h: a failed deserialization finishes the call that way; the
  // code is not ours to choose). The same bytes with valid UTF-8 reach the
  // handler (NOT_FOUND): the path is right.
  const auto raw_hold = [&](const std::string& slot_id) {
    grpc::GenericStub generic(server.Channel());
    std::string bytes = std::string("\x0a\x05") + "bad-u";  // request_id
    bytes +=
        "\x12" + std::string(1, static_cast<char>(slot_id.size())) + slot_id;
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Status status;
    absl::Notification done;
    generic.UnaryCall(&context, "/creneau.v1.OrientationService/HoldSlot",
                      grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        status = s;
                        done.Notify();
                      });
    done.WaitForNotification();
    return status;
  };
  EXPECT_EQ(raw_hold("ok").error_code(), grpc::StatusCode::NOT_FOUND);
  const grpc::Status utf8 = raw_hold("\xff\xfe");
  EXPECT_EQ(utf8.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << utf8.error_message();
  EXPECT_EQ(Snapshot(api, seed, booking.id()), before)
      << "bad UTF-8 changed the state";

  ASSERT_EQ(server.Stop(SIGTERM), 0);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ApiClient after(server);
  EXPECT_EQ(Snapshot(after, seed, booking.id()), before)
      << "the stored state moved";
  std::printf(
      "%d bad requests refused with the field named, bad UTF-8 refused "
      "(UNIMPLEMENTED); professionals, slots, bookings and idempotency "
      "records unchanged, also after a restart\n",
      checked);
}

}  // namespace
}  // namespace creneau::testing

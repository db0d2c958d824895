// ApiClient: blocking calls to a real creneaud for integration, restart,
// crash and retry tests. Every mutation gets a fresh request id unless one
// is given.
#ifndef CRENEAU_TESTS_SUPPORT_API_CLIENT_H_
#define CRENEAU_TESTS_SUPPORT_API_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/server_process.h"

namespace creneau::testing {

struct ApiClient {
  explicit ApiClient(const ServerProcess& server)
      : slots(server.Slots()), orientation(server.Orientation()) {}

  grpc::Status Hold(const std::string& slot_id, int ttl_s, v1::Hold* hold) {
    v1::HoldSlotRequest request;
    request.set_request_id(NextId());
    request.set_slot_id(slot_id);
    request.mutable_ttl()->set_seconds(ttl_s);
    v1::HoldSlotResponse response;
    grpc::Status status =
        orientation->HoldSlot(ClientContext().get(), request, &response);
    *hold = response.hold();
    return status;
  }
  grpc::Status Confirm(const v1::Hold& hold, v1::Booking* booking) {
    v1::ConfirmBookingRequest request;
    request.set_request_id(NextId());
    request.set_slot_id(hold.slot_id());
    request.set_hold_token(hold.token());
    request.set_patient_ref("patient-restart");
    v1::ConfirmBookingResponse response;
    grpc::Status status =
        orientation->ConfirmBooking(ClientContext().get(), request, &response);
    *booking = response.booking();
    return status;
  }
  grpc::Status Release(const v1::Hold& hold) {
    v1::ReleaseHoldRequest request;
    request.set_request_id(NextId());
    request.set_slot_id(hold.slot_id());
    request.set_hold_token(hold.token());
    v1::ReleaseHoldResponse response;
    return orientation->ReleaseHold(ClientContext().get(), request, &response);
  }
  grpc::Status Cancel(const std::string& booking_id) {
    v1::CancelBookingRequest request;
    request.set_request_id(NextId());
    request.set_booking_id(booking_id);
    v1::CancelBookingResponse response;
    return orientation->CancelBooking(ClientContext().get(), request,
                                      &response);
  }
  grpc::Status GetBooking(const std::string& id, v1::Booking* booking) {
    v1::GetBookingRequest request;
    request.set_booking_id(id);
    v1::GetBookingResponse response;
    grpc::Status status =
        orientation->GetBooking(ClientContext().get(), request, &response);
    *booking = response.booking();
    return status;
  }
  v1::Slot GetSlot(const std::string& id) {
    v1::GetSlotRequest request;
    request.set_slot_id(id);
    v1::GetSlotResponse response;
    EXPECT_TRUE(slots->GetSlot(ClientContext().get(), request, &response).ok())
        << id;
    return response.slot();
  }
  static std::string NextId() {
    static std::atomic<int> n{0};
    return absl::StrCat("restart-", n.fetch_add(1));
  }

  std::unique_ptr<v1::SlotService::Stub> slots;
  std::unique_ptr<v1::OrientationService::Stub> orientation;
};

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_API_CLIENT_H_

// The `creneau` commands besides search and hold: confirm, release, cancel,
// get, list, publish, withdraw, health.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/limits.h"
#include "engine/names.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/cli.h"
#include "tools/internal/cli_format.h"
#include "tools/slot_file.h"
#include "tools/table.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

int Cli::Confirm(const std::string& slot_id, const std::string& token,
                 const std::string& patient, const std::string& orientation) {
  v1::ConfirmBookingRequest request;
  request.set_request_id(RequestId());
  request.set_slot_id(slot_id);
  request.set_hold_token(token);
  request.set_patient_ref(patient);
  request.set_orientation_ref(orientation);
  return Call<v1::ConfirmBookingResponse>(
      [&](grpc::ClientContext* context, v1::ConfirmBookingResponse* response) {
        return orientation_->ConfirmBooking(context, request, response);
      },
      [&](const v1::ConfirmBookingResponse& response) {
        internal::PrintBooking(response.booking(), options_.time_zone, out_);
      });
}

int Cli::Release(const std::string& slot_id, const std::string& token) {
  v1::ReleaseHoldRequest request;
  request.set_request_id(RequestId());
  request.set_slot_id(slot_id);
  request.set_hold_token(token);
  return Call<v1::ReleaseHoldResponse>(
      [&](grpc::ClientContext* context, v1::ReleaseHoldResponse* response) {
        return orientation_->ReleaseHold(context, request, response);
      },
      [&](const v1::ReleaseHoldResponse& response) {
        out_ << "released the hold on " << response.hold().slot_id() << "\n";
      });
}

int Cli::Cancel(const std::string& booking_id, const std::string& reason) {
  v1::CancelBookingRequest request;
  request.set_request_id(RequestId());
  request.set_booking_id(booking_id);
  if (!reason.empty()) {
    const std::optional<CancelReason> code = ParseCancelReason(reason);
    if (!code) {
      err_ << "cancel: --reason is patient-better, patient-unreachable, "
              "professional-unavailable, duplicate or other (a code: never "
              "write health details)\n";
      return 2;
    }
    request.set_reason_code(static_cast<v1::CancelReason>(*code));
  }
  return Call<v1::CancelBookingResponse>(
      [&](grpc::ClientContext* context, v1::CancelBookingResponse* response) {
        return orientation_->CancelBooking(context, request, response);
      },
      [&](const v1::CancelBookingResponse& response) {
        internal::PrintBooking(response.booking(), options_.time_zone, out_);
      });
}

int Cli::Get(const std::string& id, bool force_slot) {
  if (!force_slot && id.rfind("bk-", 0) == 0) {
    v1::GetBookingRequest request;
    request.set_booking_id(id);
    return Call<v1::GetBookingResponse>(
        [&](grpc::ClientContext* context, v1::GetBookingResponse* response) {
          return orientation_->GetBooking(context, request, response);
        },
        [&](const v1::GetBookingResponse& response) {
          internal::PrintBooking(response.booking(), options_.time_zone, out_);
        });
  }
  v1::GetSlotRequest request;
  request.set_slot_id(id);
  return Call<v1::GetSlotResponse>(
      [&](grpc::ClientContext* context, v1::GetSlotResponse* response) {
        return slots_->GetSlot(context, request, response);
      },
      [&](const v1::GetSlotResponse& response) {
        internal::PrintSlot(response.slot(), options_.time_zone, out_);
      });
}

int Cli::List(const std::string& professional_id, int page_size) {
  v1::ListSlotsRequest request;
  request.set_professional_id(professional_id);
  request.set_page_size(page_size);
  Table table({"start", "slot", "modality", "state", "booked", "held"});
  // Pages until the end, bounded like every loop.
  for (int page = 0; page < 10000; ++page) {
    v1::ListSlotsResponse response;
    const grpc::Status status =
        slots_->ListSlots(Context().get(), request, &response);
    if (!status.ok()) return Report(status);
    if (options_.json) PrintJson(response);
    for (const v1::Slot& s : response.slots()) {
      table.AddRow(
          {internal::SlotTime(s.start_time(), s.time_zone(),
                              options_.time_zone),
           s.id(), internal::ModalityText(s.modality()),
           std::string(SlotStateName(static_cast<SlotState>(s.state()))),
           absl::StrCat(s.places_booked(), "/", s.capacity()),
           absl::StrCat(s.places_held())});
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (!options_.json) out_ << table.Render() << table.size() << " slot(s)\n";
  return 0;
}

int Cli::Bookings(const BookingsArgs& args) {
  v1::ListBookingsRequest request;
  request.set_professional_id(args.professional);
  request.set_organisation(args.organisation);
  if (!args.from.empty()) {
    absl::Time from;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, args.from, &from, &error)) {
      err_ << "bookings: --from must be RFC 3339 (2026-11-24T08:00:00+01:00)\n";
      return 2;
    }
    request.mutable_start_from()->set_seconds(absl::ToUnixSeconds(from));
  }
  request.set_page_size(std::clamp(args.limit, 1, 1000));
  Table table({"start", "booking", "status", "professional", "patient",
               "booked by", "slot"});
  // Pages until the end or the limit, bounded like every loop.
  for (int page = 0;
       page < 10000 && static_cast<int>(table.size()) < args.limit; ++page) {
    v1::ListBookingsResponse response;
    const grpc::Status status =
        orientation_->ListBookings(Context().get(), request, &response);
    if (!status.ok()) return Report(status);
    if (options_.json) PrintJson(response);
    for (const v1::Booking& b : response.bookings()) {
      if (static_cast<int>(table.size()) == args.limit) break;
      table.AddRow({internal::SlotTime(b.start_time(), b.time_zone(),
                                       options_.time_zone),
                    b.id(),
                    std::string(BookingStatusName(
                        static_cast<BookingStatus>(b.status()))),
                    b.professional_id(), b.patient_ref(),
                    absl::StrCat(b.booked_by(), " (", b.organisation(), ")"),
                    b.slot_id()});
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (!options_.json) out_ << table.Render() << table.size() << " booking(s)\n";
  return 0;
}

int Cli::Publish(const std::vector<std::string>& files) {
  int professionals = 0, created = 0, updated = 0, unchanged = 0;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      err_ << "publish: cannot read " << path << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<SlotFile> file = ParseSlotFile(path, text.str());
    if (!file.ok()) {
      err_ << "publish: " << path << ": " << file.status().message() << "\n";
      return 2;
    }
    const size_t batch = limits::kMaxBatchSize;
    for (size_t i = 0; i < file->professionals.size(); i += batch) {
      v1::UpsertProfessionalsRequest request;
      request.set_request_id(RequestId());
      for (size_t k = i; k < std::min(i + batch, file->professionals.size());
           ++k) {
        *request.add_professionals() = file->professionals[k];
      }
      v1::UpsertProfessionalsResponse response;
      const grpc::Status status =
          slots_->UpsertProfessionals(Context().get(), request, &response);
      if (!status.ok()) {
        err_ << "publish: " << path << ": professionals " << i << ".."
             << i + batch - 1 << " refused (earlier batches were applied)\n";
        return Report(status);
      }
      professionals += response.created_count() + response.updated_count();
    }
    for (size_t i = 0; i < file->slots.size(); i += batch) {
      v1::PublishSlotsRequest request;
      request.set_request_id(RequestId());
      for (size_t k = i; k < std::min(i + batch, file->slots.size()); ++k) {
        *request.add_slots() = file->slots[k];
      }
      v1::PublishSlotsResponse response;
      const grpc::Status status =
          slots_->PublishSlots(Context().get(), request, &response);
      if (!status.ok()) {
        err_ << "publish: " << path << ": slots " << i << ".." << i + batch - 1
             << " refused (earlier batches were applied)\n";
        return Report(status);
      }
      created += response.created_count();
      updated += response.updated_count();
      unchanged += response.unchanged_count();
    }
  }
  out_ << absl::StrFormat(
      "%d professional(s) created or updated; slots: %d created, %d updated, "
      "%d unchanged\n",
      professionals, created, updated, unchanged);
  return 0;
}

int Cli::Withdraw(const std::vector<std::string>& slot_ids) {
  v1::WithdrawSlotsRequest request;
  request.set_request_id(RequestId());
  for (const std::string& id : slot_ids) request.add_slot_ids(id);
  return Call<v1::WithdrawSlotsResponse>(
      [&](grpc::ClientContext* context, v1::WithdrawSlotsResponse* response) {
        return slots_->WithdrawSlots(context, request, response);
      },
      [&](const v1::WithdrawSlotsResponse& response) {
        out_ << response.withdrawn_count() << " withdrawn, "
             << response.unchanged_count() << " already withdrawn\n";
      });
}

int Cli::Health() {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      health->Check(Context().get(), request, &response);
  if (!status.ok()) return Report(status);
  out_ << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
              response.status())
       << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? 0
             : 1;
}

}  // namespace creneau::tools

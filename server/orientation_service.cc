#include "server/orientation_service.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/validate.h"
#include "server/fingerprint.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace creneau::server {
namespace {

// The audit record of a booking read (patient data).
Event BookingRead(const Principal& principal, const Booking& booking,
                  absl::Time now) {
  Event event;
  event.type = EventType::kBookingRead;
  event.time_unix_s = absl::ToUnixSeconds(now);
  event.actor = principal.name;
  event.organisation = principal.organisation;
  event.Add(SubjectKind::kBooking, booking.id);
  event.Add(SubjectKind::kProfessional, booking.professional_id);
  return event;
}

}  // namespace

grpc::ServerUnaryReactor* OrientationService::SearchSlots(
    grpc::CallbackServerContext* context, const v1::SearchSlotsRequest* request,
    v1::SearchSlotsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kRead);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto query = QueryFromRequest(*request);
  if (!query.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, query.status());
  }
  const Caller caller = CallerFor(*principal);
  auto done = parts_.host->Read<bool>(
      [&](const Engine& engine, absl::Time now) -> absl::StatusOr<bool> {
        // Reused by this thread's searches: no allocation once warm.
        thread_local SearchResult result;
        absl::Status status = engine.Search(caller, *query, now, &result);
        if (!status.ok()) return status;
        engine.ExplainHits(&result);
        ToProto(engine, caller, *query, result, response);
        return true;
      });
  if (done.ok() && parts_.metrics != nullptr) {
    parts_.metrics->CountSearch(response->widening_steps(),
                                response->empty_reason());
  }
  return Finish(reactor, *parts_.gate, principal->name, done.status());
}

grpc::ServerUnaryReactor* OrientationService::HoldSlot(
    grpc::CallbackServerContext* context, const v1::HoldSlotRequest* request,
    v1::HoldSlotResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command = HoldFromRequest(*request, storage::EngineHost::NewHoldToken());
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("HoldSlot", *request)};
  return MutateThenFinish<Hold>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.HoldSlot(caller, key, *command, now, effects);
      },
      [response](const Hold& hold) {
        ToProto(hold, response->mutable_hold());
      });
}

grpc::ServerUnaryReactor* OrientationService::MatchAndHold(
    grpc::CallbackServerContext* context,
    const v1::MatchAndHoldRequest* request,
    v1::MatchAndHoldResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command =
      MatchHoldFromRequest(*request, storage::EngineHost::NewHoldToken());
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("MatchAndHold", *request)};
  // The match is read under the engine's lock, where its slot number is
  // valid; the answer is sent once the hold is durable.
  return MutateThenFinish<std::optional<Hold>>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        SearchResult result;
        auto held =
            engine.MatchAndHold(caller, key, *command, now, &result, effects);
        if (held.ok()) {
          ToProto(engine, caller, command->query, result,
                  response->mutable_search());
        }
        return held;
      },
      [response, metrics = parts_.metrics](const std::optional<Hold>& hold) {
        if (hold.has_value()) ToProto(*hold, response->mutable_hold());
        if (metrics != nullptr) {
          metrics->CountSearch(response->search().widening_steps(),
                               response->search().empty_reason());
        }
      });
}

grpc::ServerUnaryReactor* OrientationService::ConfirmBooking(
    grpc::CallbackServerContext* context,
    const v1::ConfirmBookingRequest* request,
    v1::ConfirmBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command = ConfirmFromRequest(*request);
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("ConfirmBooking", *request)};
  // Read with the booking, under the engine's lock; sent once durable.
  auto zone = std::make_shared<std::string>();
  return MutateThenFinish<Booking>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        absl::StatusOr<Booking> booking =
            engine.ConfirmBooking(caller, key, *command, now, effects);
        if (booking.ok()) *zone = TimeZoneOf(engine, booking->professional_id);
        return booking;
      },
      [response, zone](const Booking& booking) {
        ToProto(booking, response->mutable_booking());
        response->mutable_booking()->set_time_zone(*zone);
      });
}

grpc::ServerUnaryReactor* OrientationService::ReleaseHold(
    grpc::CallbackServerContext* context, const v1::ReleaseHoldRequest* request,
    v1::ReleaseHoldResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kHold);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command = ReleaseFromRequest(*request);
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("ReleaseHold", *request)};
  return MutateThenFinish<Hold>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.ReleaseHold(caller, key, *command, now, effects);
      },
      [response](const Hold& hold) {
        ToProto(hold, response->mutable_hold());
      });
}

grpc::ServerUnaryReactor* OrientationService::CancelBooking(
    grpc::CallbackServerContext* context,
    const v1::CancelBookingRequest* request,
    v1::CancelBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kManageBookings);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto command = CancelFromRequest(*request);
  if (!command.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, command.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("CancelBooking", *request)};
  // Read with the booking, under the engine's lock; sent once durable.
  auto zone = std::make_shared<std::string>();
  return MutateThenFinish<Booking>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        absl::StatusOr<Booking> booking =
            engine.CancelBooking(caller, key, *command, now, effects);
        if (booking.ok()) *zone = TimeZoneOf(engine, booking->professional_id);
        return booking;
      },
      [response, zone](const Booking& booking) {
        ToProto(booking, response->mutable_booking());
        response->mutable_booking()->set_time_zone(*zone);
      });
}

grpc::ServerUnaryReactor* OrientationService::GetBooking(
    grpc::CallbackServerContext* context, const v1::GetBookingRequest* request,
    v1::GetBookingResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kManageBookings);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::Status status = CheckId("booking_id", request->booking_id());
  if (status.ok()) {
    const Caller caller = CallerFor(*principal);
    absl::Time read_at;
    std::string zone;
    auto booking =
        parts_.host->Read<Booking>([&](const Engine& engine, absl::Time now) {
          read_at = now;
          absl::StatusOr<Booking> found =
              engine.GetBooking(caller, request->booking_id());
          if (found.ok()) zone = TimeZoneOf(engine, found->professional_id);
          return found;
        });
    if (booking.ok()) {
      ToProto(*booking, response->mutable_booking());
      response->mutable_booking()->set_time_zone(zone);
      parts_.host->RecordAudit({BookingRead(*principal, *booking, read_at)});
    }
    status = booking.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

grpc::ServerUnaryReactor* OrientationService::ListBookings(
    grpc::CallbackServerContext* context,
    const v1::ListBookingsRequest* request,
    v1::ListBookingsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kManageBookings);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  absl::StatusOr<BookingQuery> query = BookingQueryFromRequest(*request);
  absl::Status status = query.status();
  if (status.ok()) {
    const Caller caller = CallerFor(*principal);
    absl::Time read_at;
    std::vector<std::string> zones;  // One per booking listed.
    auto page = parts_.host->Read<BookingPage>([&](const Engine& engine,
                                                   absl::Time now) {
      read_at = now;
      absl::StatusOr<BookingPage> found = engine.ListBookings(caller, *query);
      if (found.ok()) {
        for (const Booking& booking : found->bookings) {
          zones.push_back(TimeZoneOf(engine, booking.professional_id));
        }
      }
      return found;
    });
    if (page.ok()) {
      // Every booking listed is a read of patient data.
      std::vector<Event> reads;
      for (size_t i = 0; i < page->bookings.size(); ++i) {
        const Booking& booking = page->bookings[i];
        v1::Booking* out = response->add_bookings();
        ToProto(booking, out);
        out->set_time_zone(zones[i]);
        reads.push_back(BookingRead(*principal, booking, read_at));
      }
      response->set_next_page_token(page->next_page_token);
      if (!reads.empty()) parts_.host->RecordAudit(std::move(reads));
    }
    status = page.status();
  }
  return Finish(reactor, *parts_.gate, principal->name, status);
}

}  // namespace creneau::server

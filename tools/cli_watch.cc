// `creneau watch`: follows the change feed (ChangeService.WatchChanges),
// one line per changed object, resuming by itself where the server ended
// the stream (a slow terminal, a restart) from the last sequence it saw.
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/names.h"
#include "tools/cli.h"
#include "tools/internal/cli_format.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

namespace {

// Resumptions in a row without a change received before giving up, and the
// pause before each.
constexpr int kMaxResumesWithoutProgress = 10;
constexpr absl::Duration kResumePause = absl::Seconds(1);

std::string SlotLine(const v1::Slot& slot, const std::string& zone) {
  return absl::StrCat(
      "slot ", slot.id(), "  ",
      internal::SlotTime(slot.start_time(), slot.time_zone(), zone), "  ",
      slot.places_booked(), " booked, ", slot.places_held(), " held of ",
      slot.capacity(), " (",
      absl::AsciiStrToLower(v1::SlotState_Name(slot.state()).substr(11)), ")");
}

std::string ObjectLine(const v1::ChangedObject& o, const std::string& zone) {
  switch (o.object_case()) {
    case v1::ChangedObject::kSlot:
      return SlotLine(o.slot(), zone);
    case v1::ChangedObject::kProfessional:
      return absl::StrCat("professional ", o.professional().id(), "  ",
                          ProfessionName(static_cast<Profession>(
                              o.professional().profession())),
                          "  ", o.professional().display_name());
    case v1::ChangedObject::kBooking:
      return absl::StrCat(
          "booking ", o.booking().id(), "  slot ", o.booking().slot_id(), "  ",
          absl::AsciiStrToLower(
              v1::BookingStatus_Name(o.booking().status()).substr(15)));
    case v1::ChangedObject::kTerritory:
      return absl::StrCat("territory ", o.territory().id(), "  ",
                          o.territory().name());
    case v1::ChangedObject::kRemovedSlotId:
      return absl::StrCat("slot ", o.removed_slot_id(), "  removed");
    case v1::ChangedObject::kRemovedBookingId:
      return absl::StrCat("booking ", o.removed_booking_id(), "  removed");
    case v1::ChangedObject::kRequest:
      return internal::RequestLine(o.request(), zone);
    case v1::ChangedObject::kRemovedRequestId:
      return absl::StrCat("request ", o.removed_request_id(), "  removed");
    case v1::ChangedObject::OBJECT_NOT_SET:
      break;
  }
  return "?";
}

}  // namespace

bool Cli::PrintChanges(const v1::WatchChangesResponse& response, int64_t count,
                       int64_t* printed) const {
  if (options_.json) {
    PrintJson(response);
    for (const v1::Change& change : response.changes()) {
      *printed += change.objects_size();
    }
    return count > 0 && *printed >= count;
  }
  for (const v1::Change& change : response.changes()) {
    for (const v1::ChangedObject& object : change.objects()) {
      if (count > 0 && *printed >= count) return true;
      out_ << "#" << change.sequence() << "  " << change.action() << "  "
           << ObjectLine(object, options_.time_zone) << "\n";
      ++*printed;
    }
  }
  return count > 0 && *printed >= count;
}

int Cli::Watch(const WatchArgs& args) {
  v1::WatchChangesRequest request;
  for (const std::string& t : args.territories) {
    request.mutable_filter()->add_territory_ids(t);
  }
  for (const std::string& name : args.professions) {
    auto profession = ParseProfession(name);
    if (!profession) {
      err_ << "watch: unknown --profession '" << name << "'\n";
      return 2;
    }
    request.mutable_filter()->add_professions(
        static_cast<v1::Profession>(*profession));
  }
  for (const std::string& p : args.professionals) {
    request.mutable_filter()->add_professional_ids(p);
  }
  if (args.snapshot + args.after.has_value() > 1) {
    err_ << "watch: give --snapshot or --after, not both\n";
    return 2;
  }
  return FollowFeed("watch", args.after, args.snapshot, args.count,
                    [&](grpc::ClientContext* context, const FeedStart& start) {
                      request.set_after_sequence(start.after);
                      request.set_snapshot(start.snapshot);
                      request.set_from_now(start.from_now);
                      return changes_->WatchChanges(context, request);
                    });
}

int Cli::FollowFeed(absl::string_view command, std::optional<uint64_t> after,
                    bool snapshot, int64_t count,
                    absl::FunctionRef<std::unique_ptr<FeedReader>(
                        grpc::ClientContext*, const FeedStart&)>
                        open) {
  FeedStart start;
  start.snapshot = snapshot && !after;
  start.after = after.value_or(0);
  start.from_now = !after && !snapshot;
  int64_t changes = 0;  // Objects printed.
  int resumes = 0;
  while (true) {
    grpc::ClientContext context;
    if (!options_.token.empty()) {
      context.AddMetadata("authorization", "Bearer " + options_.token);
    }
    auto reader = open(&context, start);
    v1::WatchChangesResponse response;
    uint64_t last = start.after;
    bool progressed = false;
    while (reader->Read(&response)) {
      last = response.last_sequence();
      progressed = true;
      const bool done = PrintChanges(response, count, &changes);
      out_.flush();
      if (done) {
        context.TryCancel();
        break;
      }
    }
    const grpc::Status status = reader->Finish();
    if (count > 0 && changes >= count) return 0;
    const bool resumable =
        status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
        status.error_code() == grpc::StatusCode::UNAVAILABLE;
    resumes = progressed ? 1 : resumes + 1;
    if (!resumable || resumes > kMaxResumesWithoutProgress) {
      return Report(status);
    }
    err_ << command << ": " << status.error_message() << "; resuming after #"
         << last << "\n";
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(kResumePause));
    start = FeedStart{last, false, false};
  }
}

}  // namespace creneau::tools

#include "server/change_service.h"

#include "absl/strings/str_cat.h"
#include "engine/validate.h"
#include "server/principals.h"

namespace creneau::server {
namespace {

absl::Status CheckIds(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& ids, int max) {
  if (ids.size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", max, " ids"));
  }
  for (const std::string& id : ids) {
    if (absl::Status status = CheckId(field, id); !status.ok()) return status;
  }
  return absl::OkStatus();
}

template <typename Request>
absl::StatusOr<WatchStart> StartOf(const Request& request) {
  const int modes =
      (request.after_sequence() != 0) + request.snapshot() + request.from_now();
  if (modes > 1) {
    return absl::InvalidArgumentError(
        "after_sequence, snapshot, from_now: give at most one");
  }
  WatchStart start;
  start.after_sequence = request.after_sequence();
  if (request.snapshot()) start.mode = WatchStart::Mode::kSnapshot;
  if (request.from_now()) start.mode = WatchStart::Mode::kFromNow;
  return start;
}

}  // namespace

absl::StatusOr<WatchFilter> WatchFilterFromProto(
    const v1::ChangeFilter& proto) {
  WatchFilter filter;
  absl::Status status = CheckIds("filter.territory_ids", proto.territory_ids(),
                                 WatchHub::kMaxFilterTerritories);
  if (!status.ok()) return status;
  status = CheckIds("filter.professional_ids", proto.professional_ids(),
                    WatchHub::kMaxFilterProfessionals);
  if (!status.ok()) return status;
  filter.territory_ids.assign(proto.territory_ids().begin(),
                              proto.territory_ids().end());
  filter.professional_ids.assign(proto.professional_ids().begin(),
                                 proto.professional_ids().end());
  for (int profession : proto.professions()) {
    if (profession <= 0 || profession >= kProfessionCount) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.professions: unknown value ", profession));
    }
    filter.professions |= Bit(static_cast<Profession>(profession));
  }
  return filter;
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* ChangeService::WatchChanges(
    grpc::CallbackServerContext* context,
    const v1::WatchChangesRequest* request) {
  return Open(context, Permission::kRead,
              WatchFilterFromProto(request->filter()), StartOf(*request));
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>*
ChangeService::WatchRequests(grpc::CallbackServerContext* context,
                             const v1::WatchRequestsRequest* request) {
  WatchFilter filter;
  filter.requests = true;
  filter.organisation = request->organisation();
  absl::StatusOr<WatchFilter> checked = filter;
  if (!filter.organisation.empty()) {
    if (absl::Status s = CheckId("organisation", filter.organisation);
        !s.ok()) {
      checked = s;
    }
  }
  return Open(context, Permission::kHold, checked, StartOf(*request));
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* ChangeService::Open(
    grpc::CallbackServerContext* context, Permission permission,
    const absl::StatusOr<WatchFilter>& filter,
    const absl::StatusOr<WatchStart>& start) {
  absl::StatusOr<Principal> principal =
      parts_.gate->Admit(*context, permission);
  auto* stream =
      new WatchStream(&hub_, principal.ok() ? principal->name : "",
                      principal.ok() ? CallerFor(*principal) : Caller(),
                      filter.ok() ? *filter : WatchFilter());
  if (!principal.ok()) {
    stream->Finish(ToGrpc(principal.status()));  // Counted by the gate.
    return stream;
  }
  absl::Status status = !filter.ok() ? filter.status() : start.status();
  if (status.ok()) {
    // The client learns at once that its stream is open, before any change
    // (and before the hub may write: metadata must come first).
    stream->StartSendInitialMetadata();
    status = hub_.Add(stream, *start);
  }
  if (!status.ok()) {
    parts_.gate->Count(principal->name, status);
    stream->Finish(ToGrpc(status));
  }
  return stream;
}

}  // namespace creneau::server

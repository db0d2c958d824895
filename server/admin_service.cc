#include "server/admin_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "engine/status_macros.h"
#include "engine/validate.h"
#include "server/fingerprint.h"
#include "server/from_proto.h"
#include "server/to_proto.h"

namespace creneau::server {
namespace {

// Whether `event` passes every filter of `request` (since excepted).
bool Matches(const v1::ListAuditRequest& request, const Event& event) {
  if (!request.principal().empty() && event.actor != request.principal()) {
    return false;
  }
  const auto mentions = [&](SubjectKind kind, const std::string& id) {
    if (id.empty()) return true;
    for (const Subject& s : event.subjects) {
      if (s.kind == kind && s.id == id) return true;
    }
    return false;
  };
  return mentions(SubjectKind::kBooking, request.booking_id()) &&
         mentions(SubjectKind::kSlot, request.slot_id()) &&
         mentions(SubjectKind::kProfessional, request.professional_id());
}

absl::Status CheckAuditRequest(const v1::ListAuditRequest& request) {
  for (const auto& [field, id] :
       {std::pair<const char*, const std::string*>{"booking_id",
                                                   &request.booking_id()},
        {"slot_id", &request.slot_id()},
        {"professional_id", &request.professional_id()},
        {"principal", &request.principal()}}) {
    if (!id->empty()) RETURN_IF_ERROR(CheckId(field, *id));
  }
  if (request.page_size() < 0 ||
      request.page_size() > AdminService::kMaxAuditPage) {
    return InvalidField("page_size", RangeRule(1, AdminService::kMaxAuditPage));
  }
  return absl::OkStatus();
}

// Fills `response` with the matching records from the log.
absl::Status ReadAudit(const storage::Store& store,
                       const v1::ListAuditRequest& request,
                       v1::ListAuditResponse* response) {
  RETURN_IF_ERROR(CheckAuditRequest(request));
  const int64_t since =
      request.has_since() ? request.since().seconds() : INT64_MIN;
  uint64_t from = 0;
  if (!request.page_token().empty()) {
    if (!absl::SimpleAtoi(request.page_token(), &from) || from == 0) {
      return InvalidField("page_token", "malformed");
    }
  } else if (request.has_since()) {
    ASSIGN_OR_RETURN(
        from, store.FirstSequenceAtOrAfter(absl::FromUnixSeconds(since)));
  } else {
    ASSIGN_OR_RETURN(from, store.FirstSequence());
  }
  const int page_size =
      request.page_size() == 0 ? limits::kDefaultPageSize : request.page_size();
  constexpr size_t kChunk = 1000;
  size_t examined = 0;
  std::vector<storage::Store::SequencedEvent> chunk;
  while (examined < AdminService::kMaxAuditExamined &&
         response->records_size() < page_size) {
    chunk.clear();
    ASSIGN_OR_RETURN(const uint64_t next,
                     store.ReadEvents(from, kChunk, &chunk));
    for (const auto& e : chunk) {
      from = e.sequence + 1;
      ++examined;
      if (e.event.time_unix_s >= since && Matches(request, e.event)) {
        ToProto(e.sequence, e.event, response->add_records());
        if (response->records_size() == page_size) break;
      }
    }
    if (chunk.size() < kChunk && from >= next) {
      return absl::OkStatus();  // The end of the log: no token.
    }
  }
  response->set_next_page_token(absl::StrCat(from));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::TransferProfessionals(
    grpc::CallbackServerContext* context,
    const v1::TransferProfessionalsRequest* request,
    v1::TransferProfessionalsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  auto ids = TransferFromRequest(*request);
  if (!ids.ok()) {
    return Finish(reactor, *parts_.gate, principal->name, ids.status());
  }
  const Caller caller = CallerFor(*principal);
  const RequestKey key{request->request_id(),
                       RequestFingerprint("TransferProfessionals", *request)};
  return MutateThenFinish<BatchCounts>(
      reactor, parts_, principal->name,
      [&](Engine& engine, absl::Time now, Effects* effects) {
        return engine.TransferProfessionals(
            caller, key, *ids, request->organisation(), now, effects);
      },
      [response](const BatchCounts& counts) {
        response->set_transferred_count(counts.updated);
        response->set_unchanged_count(counts.unchanged);
      });
}

grpc::ServerUnaryReactor* AdminService::ListAudit(
    grpc::CallbackServerContext* context, const v1::ListAuditRequest* request,
    v1::ListAuditResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto principal = parts_.gate->Admit(*context, Permission::kAdminister);
  if (!principal.ok()) return Refuse(reactor, principal.status());
  const absl::Status status =
      ReadAudit(parts_.host->store(), *request, response);
  return Finish(reactor, *parts_.gate, principal->name, status);
}

}  // namespace creneau::server

// `creneau requests`: the waitlist (OrientationService.EnqueueRequest,
// CancelRequest, ListRequests; ChangeService.WatchRequests). A regulator
// whose search found nothing enqueues it; when a place comes, creneau
// holds it for the patient and `requests --follow` shows the hold and its
// token, to confirm as any hold.
#include "tools/cli.h"
#include "tools/internal/cli_format.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

int Cli::RequestsEnqueue(const SearchArgs& search, const RequestsArgs& args) {
  v1::EnqueueRequestRequest request;
  request.set_request_id(RequestId());
  if (int code =
          SearchRequestOf(search, "requests enqueue", request.mutable_search());
      code != 0) {
    return code;
  }
  if (args.patient.empty()) {
    err_ << "requests enqueue: --patient is required (a pseudonymous "
            "reference, never a name)\n";
    return 2;
  }
  request.set_patient_ref(args.patient);
  if (!args.expiry.empty()) {
    auto expiry = ParseHumanDuration(args.expiry);
    if (!expiry) {
      err_ << "requests enqueue: --expiry must be a duration such as 4h\n";
      return 2;
    }
    request.mutable_expiry()->set_seconds(absl::ToInt64Seconds(*expiry));
  }
  if (!args.ttl.empty() &&
      !TtlOf(args.ttl, "requests enqueue", request.mutable_hold_ttl())) {
    return 2;
  }
  return Call<v1::EnqueueRequestResponse>(
      [&](grpc::ClientContext* context, v1::EnqueueRequestResponse* response) {
        return orientation_->EnqueueRequest(context, request, response);
      },
      [&](const v1::EnqueueRequestResponse& response) {
        out_ << internal::RequestLine(response.request(), options_.time_zone)
             << "\n";
        if (response.request().has_hold()) {
          PrintHeld(response.request().hold());
        } else {
          out_ << "next: creneau requests --follow (shows the hold when a "
                  "place comes)\n";
        }
      });
}

int Cli::RequestsList(bool all) {
  v1::ListRequestsRequest request;
  request.set_include_closed(all);
  request.set_page_size(1000);
  int code = 0;
  // Pages until the last (a waitlist holds at most 500 requests per
  // organisation, and closed ones for a day).
  do {
    code = Call<v1::ListRequestsResponse>(
        [&](grpc::ClientContext* context, v1::ListRequestsResponse* response) {
          return orientation_->ListRequests(context, request, response);
        },
        [&](const v1::ListRequestsResponse& response) {
          for (const v1::WaitingRequest& r : response.requests()) {
            out_ << internal::RequestLine(r, options_.time_zone) << "\n";
          }
          request.set_page_token(response.next_page_token());
        });
  } while (code == 0 && !options_.json && !request.page_token().empty());
  return code;
}

int Cli::RequestsCancel(const std::string& id) {
  v1::CancelRequestRequest request;
  request.set_request_id(RequestId());
  request.set_waiting_request_id(id);
  return Call<v1::CancelRequestResponse>(
      [&](grpc::ClientContext* context, v1::CancelRequestResponse* response) {
        return orientation_->CancelRequest(context, request, response);
      },
      [&](const v1::CancelRequestResponse& response) {
        out_ << internal::RequestLine(response.request(), options_.time_zone)
             << "\n";
      });
}

int Cli::RequestsFollow(const RequestsArgs& args) {
  v1::WatchRequestsRequest request;
  return FollowFeed("requests", args.after, /*snapshot=*/true, args.count,
                    [&](grpc::ClientContext* context, const FeedStart& start) {
                      request.set_after_sequence(start.after);
                      request.set_snapshot(start.snapshot);
                      request.set_from_now(start.from_now);
                      return changes_->WatchRequests(context, request);
                    });
}

}  // namespace creneau::tools

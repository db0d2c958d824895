// `creneau match-hold`: a search and the hold of its best place in one call
// (OrientationService.MatchAndHold).
#include "tools/cli.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

int Cli::MatchHold(const SearchArgs& args, const std::string& ttl) {
  v1::MatchAndHoldRequest request;
  request.set_request_id(RequestId());
  if (int code = SearchRequestOf(args, "match-hold", request.mutable_search());
      code != 0) {
    return code;
  }
  if (!ttl.empty() && !TtlOf(ttl, "match-hold", request.mutable_ttl())) {
    return 2;
  }
  return Call<v1::MatchAndHoldResponse>(
      [&](grpc::ClientContext* context, v1::MatchAndHoldResponse* response) {
        return orientation_->MatchAndHold(context, request, response);
      },
      [&](const v1::MatchAndHoldResponse& response) {
        PrintMatches(response.search());
        if (response.has_hold()) PrintHeld(response.hold());
      });
}

}  // namespace creneau::tools

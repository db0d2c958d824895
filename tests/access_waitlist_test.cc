// The waitlist under the access model: regulators and administrators only;
// each organisation reaches its own requests (another's answers NOT_FOUND,
// its feed never shows them); a place is held only within the waiting
// regulator's scope, so an older request out of scope is passed over.
#include <set>
#include <string>

#include "creneau/v1/change_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/access_env.h"

namespace creneau::testing {
namespace {

using namespace access;  // NOLINT: the matrix's columns and client.

grpc::Status Enqueue(Env& e, Who who, v1::EnqueueRequestResponse* out) {
  v1::EnqueueRequestRequest r;
  r.set_request_id(e.Fresh("rq"));
  r.mutable_search()->set_commune_code("17300");  // La Rochelle.
  r.mutable_search()->set_profession(v1::PROFESSION_GENERAL_PRACTITIONER);
  r.mutable_search()->set_radius_m(5000);
  r.set_patient_ref("patient-" + e.Fresh("p"));
  auto stub = v1::OrientationService::NewStub(e.channel());
  return stub->EnqueueRequest(e.As(who).get(), r, out);
}

grpc::Status List(Env& e, Who who, std::set<std::string>* ids) {
  v1::ListRequestsRequest r;
  r.set_include_closed(true);
  v1::ListRequestsResponse out;
  auto stub = v1::OrientationService::NewStub(e.channel());
  const grpc::Status status = stub->ListRequests(e.As(who).get(), r, &out);
  for (const v1::WaitingRequest& w : out.requests()) ids->insert(w.id());
  return status;
}

// The request ids `who`'s waitlist feed sends from the oldest event until
// it has been quiet a moment; its final status in *code.
std::set<std::string> Follow(Env& e, Who who, grpc::StatusCode* code) {
  auto stub = v1::ChangeService::NewStub(e.channel());
  auto context = ClientContext(TokenOf(who), absl::Seconds(2));
  auto reader = stub->WatchRequests(context.get(), v1::WatchRequestsRequest());
  std::set<std::string> ids;
  v1::WatchChangesResponse response;
  while (reader->Read(&response)) {
    for (const v1::Change& change : response.changes()) {
      for (const v1::ChangedObject& o : change.objects()) {
        EXPECT_EQ(o.object_case(), v1::ChangedObject::kRequest);
        EXPECT_TRUE(o.request().patient_ref().empty());
        ids.insert(o.request().id());
      }
    }
  }
  *code = reader->Finish().error_code();
  return ids;
}

TEST_F(AccessTest, TheWaitlistIsPerOrganisationAndHeldWithinScope) {
  Env& e = *env_;
  v1::EnqueueRequestResponse a, b;
  // reg-a (sas-a, scope t-royan) waits first, reg-b (sas-b, t-rochelle)
  // second, both for a GP in La Rochelle.
  ASSERT_TRUE(Enqueue(e, kRegA, &a).ok());
  ASSERT_TRUE(Enqueue(e, kRegB, &b).ok());
  EXPECT_EQ(a.request().state(), v1::WAITING_REQUEST_STATE_WAITING);
  for (Who who : {kFeedA, kReader}) {
    v1::EnqueueRequestResponse refused;
    EXPECT_EQ(Enqueue(e, who, &refused).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << kNames[who];
    std::set<std::string> none;
    EXPECT_EQ(List(e, who, &none).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // A place in La Rochelle: outside reg-a's scope, so the older request is
  // passed over and reg-b's gets it, in reg-b's name.
  const std::string rochelle = e.Publish(kFeedA, "pa-rochelle");
  std::set<std::string> ids_b;
  ASSERT_TRUE(List(e, kRegB, &ids_b).ok());
  EXPECT_EQ(ids_b, std::set<std::string>{b.request().id()});
  v1::ListRequestsRequest list;
  list.set_include_closed(true);
  v1::ListRequestsResponse listed;
  auto stub = v1::OrientationService::NewStub(e.channel());
  ASSERT_TRUE(stub->ListRequests(e.As(kRegB).get(), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 1);
  EXPECT_EQ(listed.requests(0).state(), v1::WAITING_REQUEST_STATE_HELD);
  EXPECT_EQ(listed.requests(0).hold().slot_id(), rochelle);
  EXPECT_EQ(listed.requests(0).principal(), "reg-b");
  listed.Clear();
  ASSERT_TRUE(stub->ListRequests(e.As(kRegA2).get(), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 1);  // Its colleague's, still waiting.
  EXPECT_EQ(listed.requests(0).id(), a.request().id());
  EXPECT_EQ(listed.requests(0).state(), v1::WAITING_REQUEST_STATE_WAITING);

  // Another organisation's request is as if unknown; a colleague may
  // cancel it.
  v1::CancelRequestRequest cancel;
  cancel.set_request_id(e.Fresh("rq"));
  cancel.set_waiting_request_id(a.request().id());
  v1::CancelRequestResponse cancelled;
  EXPECT_EQ(
      stub->CancelRequest(e.As(kRegB).get(), cancel, &cancelled).error_code(),
      grpc::StatusCode::NOT_FOUND);
  cancel.set_request_id(e.Fresh("rq"));
  ASSERT_TRUE(stub->CancelRequest(e.As(kRegA2).get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.request().state(), v1::WAITING_REQUEST_STATE_CANCELLED);

  // The feeds: each organisation its own requests, the administrator all,
  // the others none.
  grpc::StatusCode code;
  EXPECT_EQ(Follow(e, kRegA, &code), std::set<std::string>{a.request().id()});
  EXPECT_EQ(code, grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(Follow(e, kRegB, &code), std::set<std::string>{b.request().id()});
  EXPECT_EQ(Follow(e, kAdmin, &code),
            (std::set<std::string>{a.request().id(), b.request().id()}));
  for (Who who : {kFeedA, kReader}) {
    EXPECT_TRUE(Follow(e, who, &code).empty());
    EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << kNames[who];
  }
}

}  // namespace
}  // namespace creneau::testing

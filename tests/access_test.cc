// The authorization matrix: every role against every RPC, on objects of its
// own and of another organisation, in and out of its scope, visible and
// hidden, over gRPC with TLS and real bearer tokens (digests in a principals
// file of mode 0600). Each cell prepares fresh objects as their owner, makes
// the call as the principal of its column, and checks the status code; a
// hidden object must answer NOT_FOUND with exactly the message an unknown id
// gets (no existence leak). Listings and searches are checked for what they
// leave out.
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "creneau/v1/territory_service.grpc.pb.h"
#include "engine/limits.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/access_env.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/principals_file.h"
#include "tests/support/server_process.h"
#include "tests/support/test_pki.h"

namespace creneau::testing {
namespace {

using namespace access;  // NOLINT: the matrix's columns and client.
using C = grpc::StatusCode;

// One row of the matrix: a call made by each principal in turn on fresh
// objects, and the code each must get.
struct Row {
  std::string name;
  std::function<grpc::Status(Env&, Who)> call;
  std::array<C, kWhoCount> expected;  // Admin, feed-a, feed-b, reg-a,
                                      // reg-a2, reg-b, reader.
};

constexpr C OK = C::OK, PD = C::PERMISSION_DENIED, NF = C::NOT_FOUND;

std::vector<Row> Matrix() {
  std::vector<Row> rows;
  const auto add = [&](std::string name, std::array<C, kWhoCount> expected,
                       std::function<grpc::Status(Env&, Who)> call) {
    rows.push_back({std::move(name), std::move(call), expected});
  };
  // ---- SlotService ----
  add("upsert another's professional (vendor-a's)",
      {OK, OK, PD, PD, PD, PD, PD},
      [](Env& e, Who w) { return e.Upsert(w, Pro("pa-royan")); });
  add("upsert a new professional", {OK, OK, OK, PD, PD, PD, PD},
      [](Env& e, Who w) { return e.Upsert(w, Pro(e.Fresh("new"))); });
  add("publish for vendor-a's professional", {OK, OK, PD, PD, PD, PD, PD},
      [](Env& e, Who w) {
        return e.PublishSlot(w, ApiSlot(e.Fresh("slot"), "pa-royan", 3));
      });
  add("publish over vendor-a's slot id for vendor-b's professional",
      {OK, PD, PD, PD, PD, PD, PD}, [](Env& e, Who w) {
        const std::string id = e.Publish(kFeedA, "pa-royan");
        return e.PublishSlot(w, ApiSlot(id, "pb-royan", 4));
      });
  add("withdraw vendor-a's public slot", {OK, OK, PD, PD, PD, PD, PD},
      [](Env& e, Who w) {
        return e.Withdraw(w, e.Publish(kFeedA, "pa-royan"));
      });
  add("withdraw vendor-a's regulation slot (hidden from feeds)",
      {OK, OK, NF, PD, PD, PD, PD}, [](Env& e, Who w) {
        return e.Withdraw(
            w, e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_REGULATION));
      });
  add("get a public slot", {OK, OK, OK, OK, OK, OK, OK}, [](Env& e, Who w) {
    return e.GetSlot(w, e.Publish(kFeedA, "pa-royan"));
  });
  add("get a professionals-only slot", {OK, OK, OK, OK, OK, OK, NF},
      [](Env& e, Who w) {
        return e.GetSlot(
            w, e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_PROFESSIONALS));
      });
  add("get a regulation slot", {OK, OK, NF, OK, OK, OK, NF}, [](Env& e, Who w) {
    return e.GetSlot(w,
                     e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_REGULATION));
  });
  add("get a members-only slot of a CPTS nobody belongs to",
      {OK, OK, NF, NF, NF, NF, NF}, [](Env& e, Who w) {
        return e.GetSlot(
            w, e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_CPTS_MEMBERS));
      });
  add("list vendor-a's professional's slots (filtered by visibility)",
      {OK, OK, OK, OK, OK, OK, OK}, [](Env& e, Who w) {
        e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_REGULATION);
        v1::ListSlotsRequest r;
        r.set_professional_id("pa-royan");
        v1::ListSlotsResponse out;
        return e.slots().ListSlots(e.As(w).get(), r, &out);
      });
  add("publish vendor-a's professional's availability",
      {OK, OK, NF, PD, PD, PD, PD},
      [](Env& e, Who w) { return e.PublishAvailability(w, "pa-royan"); });
  add("get vendor-a's professional's availability",
      {OK, OK, NF, PD, PD, PD, PD}, [](Env& e, Who w) {
        EXPECT_TRUE(e.PublishAvailability(kFeedA, "pa-royan").ok());
        v1::GetAvailabilityRequest r;
        r.set_professional_id("pa-royan");
        v1::GetAvailabilityResponse out;
        return e.slots().GetAvailability(e.As(w).get(), r, &out);
      });
  // ---- OrientationService ----
  add("search near Royan (anywhere, in scope or not)",
      {OK, OK, OK, OK, OK, OK, OK}, [](Env& e, Who w) {
        v1::SearchSlotsResponse out;
        return e.orientation().SearchSlots(e.As(w).get(), RoyanSearch(), &out);
      });
  add("hold a public slot in Royan (t-royan)", {OK, PD, PD, OK, OK, PD, PD},
      [](Env& e, Who w) {
        v1::Hold hold;
        return e.Hold(w, e.Publish(kFeedA, "pa-royan"), &hold);
      });
  add("hold a regulation slot in La Rochelle (t-rochelle)",
      {OK, PD, PD, PD, PD, OK, PD}, [](Env& e, Who w) {
        v1::Hold hold;
        return e.Hold(
            w, e.Publish(kFeedA, "pa-rochelle", v1::VISIBILITY_REGULATION),
            &hold);
      });
  add("hold a members-only slot of a CPTS nobody belongs to",
      {OK, PD, PD, NF, NF, NF, PD}, [](Env& e, Who w) {
        v1::Hold hold;
        return e.Hold(
            w, e.Publish(kFeedA, "pa-royan", v1::VISIBILITY_CPTS_MEMBERS),
            &hold);
      });
  // OK when a place was held; NOT_FOUND stands for an answer without one
  // (nothing the principal may hold: reg-b's scope is La Rochelle).
  add("match and hold near Royan (t-royan)", {OK, PD, PD, OK, OK, NF, PD},
      [](Env& e, Who w) {
        e.Publish(kFeedA, "pa-royan");
        v1::MatchAndHoldRequest r;
        r.set_request_id(e.Fresh("rq"));
        *r.mutable_search() = RoyanSearch();
        r.mutable_search()->set_radius_m(5000);
        v1::MatchAndHoldResponse out;
        const grpc::Status s =
            e.orientation().MatchAndHold(e.As(w).get(), r, &out);
        if (s.ok() && !out.has_hold()) {
          return grpc::Status(
              C::NOT_FOUND, v1::EmptyReason_Name(out.search().empty_reason()));
        }
        return s;
      });
  add("confirm reg-a's hold", {NF, PD, PD, OK, NF, NF, PD}, [](Env& e, Who w) {
    v1::Hold hold;
    EXPECT_TRUE(e.Hold(kRegA, e.Publish(kFeedA, "pa-royan"), &hold).ok());
    return e.Confirm(w, hold, nullptr);
  });
  add("release reg-a's hold", {NF, PD, PD, OK, NF, NF, PD}, [](Env& e, Who w) {
    v1::Hold hold;
    EXPECT_TRUE(e.Hold(kRegA, e.Publish(kFeedA, "pa-royan"), &hold).ok());
    return e.Release(w, hold);
  });
  add("read sas-a's booking of vendor-a's professional",
      {OK, OK, NF, OK, OK, NF, PD},
      [](Env& e, Who w) { return e.GetBooking(w, e.Booked()); });
  add("cancel sas-a's booking of vendor-a's professional",
      {OK, OK, NF, OK, OK, NF, PD},
      [](Env& e, Who w) { return e.Cancel(w, e.Booked()); });
  add("list vendor-a's professional's bookings: sas-a's is there",
      {OK, OK, NF, OK, OK, NF, PD}, [](Env& e, Who w) {
        v1::ListBookingsRequest r;
        r.set_professional_id("pa-royan");
        return e.Listed(w, r, e.Booked());
      });
  add("list sas-a's bookings by organisation", {OK, NF, NF, OK, OK, NF, PD},
      [](Env& e, Who w) {
        v1::ListBookingsRequest r;
        r.set_organisation("sas-a");
        return e.Listed(w, r, e.Booked());
      });
  // ---- TerritoryService ----
  add("create a territory", {OK, PD, PD, PD, PD, PD, PD}, [](Env& e, Who w) {
    v1::CreateTerritoryRequest r;
    r.set_request_id(e.Fresh("rq"));
    r.set_territory_id(e.Fresh("t"));
    r.set_name("Charente-Maritime");
    r.set_kind(v1::TERRITORY_KIND_SAS_AREA);
    r.mutable_source()->set_departement("17");
    v1::CreateTerritoryResponse out;
    return e.territories().CreateTerritory(e.As(w).get(), r, &out);
  });
  add("update a territory", {OK, PD, PD, PD, PD, PD, PD}, [](Env& e, Who w) {
    v1::UpdateTerritoryRequest r;
    r.set_request_id(e.Fresh("rq"));
    r.set_territory_id("t-rochelle");
    r.set_name(e.Fresh("La Rochelle"));
    v1::UpdateTerritoryResponse out;
    return e.territories().UpdateTerritory(e.As(w).get(), r, &out);
  });
  add("get a territory", {OK, OK, OK, OK, OK, OK, OK}, [](Env& e, Who w) {
    v1::GetTerritoryRequest r;
    r.set_territory_id("t-royan");
    v1::GetTerritoryResponse out;
    return e.territories().GetTerritory(e.As(w).get(), r, &out);
  });
  add("list territories", {OK, OK, OK, OK, OK, OK, OK}, [](Env& e, Who w) {
    v1::ListTerritoriesResponse out;
    return e.territories().ListTerritories(e.As(w).get(), {}, &out);
  });
  // ---- AdminService ----
  add("transfer a professional", {OK, PD, PD, PD, PD, PD, PD},
      [](Env& e, Who w) {
        const std::string id = e.Fresh("moved");
        EXPECT_TRUE(e.Upsert(kFeedA, Pro(id)).ok());
        v1::TransferProfessionalsRequest r;
        r.set_request_id(e.Fresh("rq"));
        r.add_professional_ids(id);
        r.set_organisation("vendor-b");
        v1::TransferProfessionalsResponse out;
        return e.admin().TransferProfessionals(e.As(w).get(), r, &out);
      });
  add("list audit records", {OK, PD, PD, PD, PD, PD, PD}, [](Env& e, Who w) {
    v1::ListAuditRequest r;
    r.set_page_size(5);
    v1::ListAuditResponse out;
    return e.admin().ListAudit(e.As(w).get(), r, &out);
  });
  add("read the server's status", {OK, PD, PD, PD, PD, PD, PD},
      [](Env& e, Who w) {
        v1::GetStatusResponse out;
        return e.admin().GetStatus(e.As(w).get(), {}, &out);
      });
  add("back up the data", {OK, PD, PD, PD, PD, PD, PD}, [](Env& e, Who w) {
    v1::BackupRequest r;
    // A fresh absolute directory beside the server's data.
    r.set_directory(e.BackupDir(e.Fresh("backup")));
    v1::BackupResponse out;
    return e.admin().Backup(e.As(w).get(), r, &out);
  });
  return rows;
}

TEST_F(AccessTest, EveryRoleRpcAndTargetGetsItsCode) {
  int cells = 0;
  for (const Row& row : Matrix()) {
    for (int w = 0; w < kWhoCount; ++w) {
      const grpc::Status status = row.call(*env_, static_cast<Who>(w));
      EXPECT_EQ(status.error_code(), row.expected[w])
          << row.name << " as " << kNames[w] << ": " << status.error_message();
      ++cells;
    }
  }
  std::printf("authorization matrix: %d cells (%zu calls x %d principals)\n",
              cells, Matrix().size(), kWhoCount);
  EXPECT_GE(cells, 150);
}

// A hidden object answers exactly as an unknown one: the same code and the
// same message with the id in it, for slots, bookings and holds.
TEST_F(AccessTest, HiddenAnswersAsUnknown) {
  const auto same = [](const grpc::Status& hidden, const std::string& hidden_id,
                       const grpc::Status& unknown,
                       const std::string& unknown_id) {
    EXPECT_EQ(hidden.error_code(), C::NOT_FOUND);
    EXPECT_EQ(unknown.error_code(), C::NOT_FOUND);
    EXPECT_EQ(
        absl::StrReplaceAll(hidden.error_message(), {{hidden_id, "X"}}),
        absl::StrReplaceAll(unknown.error_message(), {{unknown_id, "X"}}));
  };
  const std::string regulation =
      env_->Publish(kFeedA, "pa-royan", v1::VISIBILITY_REGULATION);
  same(env_->GetSlot(kReader, regulation), regulation,
       env_->GetSlot(kReader, "no-such-slot"), "no-such-slot");
  same(env_->Withdraw(kFeedB, regulation), regulation,
       env_->Withdraw(kFeedB, "no-such-slot"), "no-such-slot");
  const std::string members =
      env_->Publish(kFeedA, "pa-royan", v1::VISIBILITY_CPTS_MEMBERS);
  v1::Hold hold;
  same(env_->Hold(kRegB, members, &hold), members,
       env_->Hold(kRegB, "no-such-slot", &hold), "no-such-slot");
  const std::string booking = env_->Booked();
  same(env_->GetBooking(kRegB, booking), booking,
       env_->GetBooking(kRegB, "bk-0123456789abcdef0123"),
       "bk-0123456789abcdef0123");
  same(env_->Cancel(kFeedB, booking), booking,
       env_->Cancel(kFeedB, "bk-0123456789abcdef0123"),
       "bk-0123456789abcdef0123");
  v1::Hold held;
  ASSERT_TRUE(env_->Hold(kRegA, env_->Publish(kFeedA, "pa-royan"), &held).ok());
  v1::Hold forged = held;
  forged.set_token(std::string(32, 'e'));
  same(env_->Confirm(kRegB, held, nullptr), held.token(),
       env_->Confirm(kRegB, forged, nullptr), forged.token());
}

// Listings and searches leave out what a principal may not see, and say
// which matches lie in its scope; booking ids are unguessable.
TEST_F(AccessTest, ListingsSearchesAndIds) {
  std::map<v1::Visibility, std::string> ids;
  for (v1::Visibility v :
       {v1::VISIBILITY_PUBLIC, v1::VISIBILITY_PROFESSIONALS,
        v1::VISIBILITY_REGULATION, v1::VISIBILITY_CPTS_MEMBERS}) {
    ids[v] = env_->Publish(kFeedA, "pa-royan", v);
  }
  const auto listed = [&](Who who) {
    v1::ListSlotsRequest r;
    r.set_professional_id("pa-royan");
    r.set_page_size(1000);
    v1::ListSlotsResponse out;
    EXPECT_TRUE(env_->slots().ListSlots(env_->As(who).get(), r, &out).ok());
    std::set<std::string> seen;
    for (const v1::Slot& s : out.slots()) seen.insert(s.id());
    return seen;
  };
  const auto has = [](const std::set<std::string>& s, const std::string& id) {
    return s.count(id) > 0;
  };
  const auto reader = listed(kReader), feed_b = listed(kFeedB),
             reg = listed(kRegA), owner = listed(kFeedA);
  EXPECT_TRUE(has(reader, ids[v1::VISIBILITY_PUBLIC]));
  EXPECT_FALSE(has(reader, ids[v1::VISIBILITY_PROFESSIONALS]));
  EXPECT_FALSE(has(reader, ids[v1::VISIBILITY_REGULATION]));
  EXPECT_TRUE(has(feed_b, ids[v1::VISIBILITY_PROFESSIONALS]));
  EXPECT_FALSE(has(feed_b, ids[v1::VISIBILITY_REGULATION]));
  EXPECT_TRUE(has(reg, ids[v1::VISIBILITY_REGULATION]));
  EXPECT_FALSE(has(reg, ids[v1::VISIBILITY_CPTS_MEMBERS]));
  EXPECT_TRUE(has(owner, ids[v1::VISIBILITY_CPTS_MEMBERS]));

  // A search from Royan: the reader sees public slots only; reg-a's are in
  // its scope, reg-b's not (it may still see them: a patient near a border).
  const auto search = [&](Who who) {
    v1::SearchSlotsRequest r = RoyanSearch();
    r.set_radius_m(5000);
    v1::SearchSlotsResponse out;
    EXPECT_TRUE(
        env_->orientation().SearchSlots(env_->As(who).get(), r, &out).ok());
    return out;
  };
  const v1::SearchSlotsResponse by_reader = search(kReader);
  const v1::SearchSlotsResponse by_reg_a = search(kRegA);
  const v1::SearchSlotsResponse by_reg_b = search(kRegB);
  EXPECT_GT(by_reader.matches_size(), 0);
  for (const v1::SlotMatch& m : by_reader.matches()) {
    EXPECT_EQ(m.slot().visibility(), v1::VISIBILITY_PUBLIC) << m.slot().id();
  }
  int in_scope = 0, out_of_scope = 0;
  for (const v1::SlotMatch& m : by_reg_a.matches()) in_scope += m.in_scope();
  for (const v1::SlotMatch& m : by_reg_b.matches()) {
    out_of_scope += !m.in_scope();
  }
  EXPECT_GT(in_scope, 0);
  EXPECT_GT(out_of_scope, 0);

  const std::string booking = env_->Booked();
  EXPECT_TRUE(std::regex_match(booking, std::regex("bk-[0-9a-f]{20}")))
      << booking;
}

}  // namespace
}  // namespace creneau::testing

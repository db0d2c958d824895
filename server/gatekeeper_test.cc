#include "server/gatekeeper.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace creneau::server {
namespace {

TEST(GatekeeperTest, RefusalsAreSummedPerPrincipalAndCodeThenTaken) {
  Gatekeeper gate(std::make_shared<const PrincipalDirectory>(), GateOptions());
  EXPECT_TRUE(gate.open_mode());
  for (int i = 0; i < 3; ++i) {
    gate.Count("sas17-1", absl::NotFoundError("booking_id: no booking"));
  }
  gate.Count("sas17-1", absl::PermissionDeniedError("slot_id: outside"));
  gate.Count("app", absl::ResourceExhaustedError("rate"));
  gate.Count("app", absl::OkStatus());  // Not a refusal.
  const absl::Time now = absl::FromUnixSeconds(1'900'000'000);
  std::vector<Event> events = gate.TakeRefusals(now);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].actor, "app");
  EXPECT_EQ(events[0].detail, "RESOURCE_EXHAUSTED x1");
  EXPECT_EQ(events[1].actor, "sas17-1");
  EXPECT_EQ(events[1].detail, "NOT_FOUND x3");
  EXPECT_EQ(events[2].detail, "PERMISSION_DENIED x1");
  for (const Event& e : events) {
    EXPECT_EQ(e.type, EventType::kCallsRefused);
    EXPECT_EQ(e.time_unix_s, 1'900'000'000);
  }
  EXPECT_TRUE(gate.TakeRefusals(now).empty()) << "taken twice";
}

TEST(GatekeeperTest, RefusalsCarryThePrincipalsOrganisation) {
  auto directory = PrincipalDirectory::Parse(
      absl::StrCat(TokenDigest("a-token-of-forty-characters-or-so-0123456"),
                   " sas17-1 regulator sas-17 *\n"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  Gatekeeper gate(
      std::make_shared<const PrincipalDirectory>(*std::move(directory)),
      GateOptions());
  gate.Count("sas17-1", absl::NotFoundError("booking_id: no booking"));
  gate.Count("(unauthenticated)", absl::UnauthenticatedError("no token"));
  const std::vector<Event> events = gate.TakeRefusals(absl::Now());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].actor, "(unauthenticated)");
  EXPECT_EQ(events[0].organisation, "");
  EXPECT_EQ(events[1].actor, "sas17-1");
  EXPECT_EQ(events[1].organisation, "sas-17");
}

TEST(GatekeeperTest, RefusalKeysAreBounded) {
  Gatekeeper gate(std::make_shared<const PrincipalDirectory>(), GateOptions());
  for (size_t i = 0; i < Gatekeeper::kMaxRefusalKeys + 50; ++i) {
    gate.Count(absl::StrCat("p", i), absl::NotFoundError("x"));
  }
  const std::vector<Event> events = gate.TakeRefusals(absl::Now());
  EXPECT_EQ(events.size(), Gatekeeper::kMaxRefusalKeys + 1);
  bool others = false;
  for (const Event& e : events) {
    if (e.actor == "(others)") {
      others = true;
      EXPECT_EQ(e.detail, "NOT_FOUND x50");
    }
  }
  EXPECT_TRUE(others);
}

TEST(GatekeeperTest, ReloadReplacesTheDirectory) {
  Gatekeeper gate(std::make_shared<const PrincipalDirectory>(), GateOptions());
  auto file = PrincipalDirectory::Parse(absl::StrCat(
      TokenDigest("token-of-the-reader-0001"), " app reader app-org *\n"));
  ASSERT_TRUE(file.ok());
  gate.Reload(std::make_shared<const PrincipalDirectory>(*std::move(file)));
  EXPECT_FALSE(gate.open_mode());
}

}  // namespace
}  // namespace creneau::server

#include "server/auth.h"

#include "gtest/gtest.h"

namespace creneau::server {
namespace {

TEST(AuthTest, OpenModeMakesEveryoneALocalAdmin) {
  Authenticator open;
  auto principal = open.Authenticate("");
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->name, "local");
  EXPECT_EQ(principal->role, Role::kAdmin);
}

TEST(AuthTest, TokensFileMapsBearerTokensToPrincipals) {
  auto auth = Authenticator::FromTokensFile(
      "# principals\n"
      "feed-token-0123456789 doctolib feed\n"
      "\n"
      "sas-token-0123456789abcd sas-17 regulator cpts-royan\n");
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->size(), 2u);
  auto sas = auth->Authenticate("Bearer sas-token-0123456789abcd");
  ASSERT_TRUE(sas.ok());
  EXPECT_EQ(sas->name, "sas-17");
  EXPECT_EQ(sas->role, Role::kRegulator);
  EXPECT_EQ(sas->cpts_id, "cpts-royan");
  EXPECT_EQ(auth->Authenticate("Bearer nope-nope-nope-nope").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      auth->Authenticate("Basic sas-token-0123456789abcd").status().code(),
      absl::StatusCode::kUnauthenticated);
}

TEST(AuthTest, BadTokensFilesNameTheLine) {
  auto auth = Authenticator::FromTokensFile("short feed-1 feed\n");
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.status().message(),
            "tokens file line 1: token must be 16 to 256 printable characters");
  EXPECT_FALSE(
      Authenticator::FromTokensFile("0123456789abcdef x superuser\n").ok());
  EXPECT_FALSE(Authenticator::FromTokensFile(
                   "0123456789abcdef a feed\n0123456789abcdef b feed\n")
                   .ok());
}

TEST(AuthTest, RolesGrantWhatTheirUsersNeed) {
  EXPECT_TRUE(Allows(Role::kFeed, Permission::kPublish));
  EXPECT_FALSE(Allows(Role::kFeed, Permission::kBook));
  EXPECT_TRUE(Allows(Role::kRegulator, Permission::kBook));
  EXPECT_FALSE(Allows(Role::kRegulator, Permission::kPublish));
  EXPECT_TRUE(Allows(Role::kReader, Permission::kRead));
  EXPECT_FALSE(Allows(Role::kReader, Permission::kCancel));
  EXPECT_TRUE(CallerFor({"sas", Role::kRegulator, ""}).may_overbook);
  EXPECT_FALSE(CallerFor({"app", Role::kReader, ""}).may_overbook);
  EXPECT_EQ(CallerFor({"app", Role::kReader, ""}).visibilities,
            Bit(Visibility::kPublic));
}

}  // namespace
}  // namespace creneau::server

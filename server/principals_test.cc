#include "server/principals.h"

#include <sys/stat.h>

#include <fstream>

#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"

namespace creneau::server {
namespace {

constexpr char kFeedToken[] = "feed-token-0123456789";
constexpr char kSasToken[] = "sas-token-0123456789abcd";

std::string File() {
  return absl::StrCat("# principals\n", TokenDigest(kFeedToken),
                      " doctolib-1 feed doctolib *\n\n", TokenDigest(kSasToken),
                      " sas17-1 regulator sas-17 cpts-royan,dep-17\n",
                      "cn:regulator.sas17.example.fr sas17-2 regulator sas-17 "
                      "dep-17\n");
}

TEST(PrincipalsTest, OpenModeMakesEveryoneALocalAdmin) {
  PrincipalDirectory open;
  auto principal = open.ByToken("");
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->name, "local");
  EXPECT_EQ(principal->role, Role::kAdmin);
  EXPECT_TRUE(principal->scope.national);
}

TEST(PrincipalsTest, FileMapsTokenDigestsAndCommonNamesToPrincipals) {
  auto directory = PrincipalDirectory::Parse(File());
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->size(), 3u);
  auto sas = directory->ByToken(kSasToken);
  ASSERT_TRUE(sas.ok());
  EXPECT_EQ(sas->name, "sas17-1");
  EXPECT_EQ(sas->role, Role::kRegulator);
  EXPECT_EQ(sas->organisation, "sas-17");
  EXPECT_FALSE(sas->scope.national);
  EXPECT_EQ(sas->scope.territory_ids,
            (std::vector<std::string>{"cpts-royan", "dep-17"}));
  auto feed = directory->ByToken(kFeedToken);
  ASSERT_TRUE(feed.ok());
  EXPECT_TRUE(feed->scope.national);
  auto cn = directory->ByCommonName("regulator.sas17.example.fr");
  ASSERT_TRUE(cn.ok());
  EXPECT_EQ(cn->name, "sas17-2");
  EXPECT_EQ(directory->ByToken("nope-nope-nope-nope").status().code(),
            absl::StatusCode::kUnauthenticated);
  // The digest itself is not a token.
  EXPECT_FALSE(directory->ByToken(TokenDigest(kSasToken)).ok());
  EXPECT_EQ(directory->ByCommonName("someone.else").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(PrincipalsTest, TokenDigestIsSha256InHex) {
  // SHA-256("abc"), FIPS 180-2.
  EXPECT_EQ(TokenDigest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
            "0015ad");
}

TEST(PrincipalsTest, BadFilesNameTheLine) {
  const std::string digest = TokenDigest(kFeedToken);
  const struct {
    std::string text;
    std::string message;
  } cases[] = {
      {"plain-token-0123456789 a feed org *\n",
       "principals file line 1: the credential must start with sha256: or "
       "cn:"},
      {"sha256:abc a feed org *\n",
       "principals file line 1: sha256: must be followed by 64 lowercase hex "
       "digits"},
      {absl::StrCat(digest, " a superuser org *\n"),
       "principals file line 1: role must be feed, regulator, reader or "
       "admin"},
      {absl::StrCat(digest, " a feed org\n"),
       "principals file line 1: expected \"<sha256:digest|cn:name> name role "
       "organisation scope\""},
      {absl::StrCat("\n", digest, " a feed org *\n", digest, " b feed org *\n"),
       "principals file line 3: this credential is already listed"},
      {absl::StrCat(digest, " a feed org bad/territory\n"),
       "principals file line 1: scope must be * or territory ids separated "
       "by commas"},
      {"cn:has space a feed org *\n",
       "principals file line 1: expected \"<sha256:digest|cn:name> name role "
       "organisation scope\""},
  };
  for (const auto& c : cases) {
    auto directory = PrincipalDirectory::Parse(c.text);
    ASSERT_FALSE(directory.ok()) << c.text;
    EXPECT_EQ(directory.status().message(), c.message) << c.text;
  }
}

TEST(PrincipalsTest, RolesGrantWhatTheirUsersNeed) {
  EXPECT_TRUE(Allows(Role::kFeed, Permission::kPublish));
  EXPECT_FALSE(Allows(Role::kFeed, Permission::kHold));
  EXPECT_TRUE(Allows(Role::kFeed, Permission::kManageBookings));
  EXPECT_TRUE(Allows(Role::kRegulator, Permission::kHold));
  EXPECT_FALSE(Allows(Role::kRegulator, Permission::kPublish));
  EXPECT_FALSE(Allows(Role::kRegulator, Permission::kAdminister));
  EXPECT_TRUE(Allows(Role::kReader, Permission::kRead));
  EXPECT_FALSE(Allows(Role::kReader, Permission::kManageBookings));
  EXPECT_TRUE(Allows(Role::kAdmin, Permission::kAdminister));
  const Caller sas = CallerFor({"sas", Role::kRegulator, "sas-17", Scope()});
  EXPECT_TRUE(sas.may_overbook);
  EXPECT_FALSE(sas.administrator);
  EXPECT_EQ(sas.organisation, "sas-17");
  const Caller app = CallerFor({"app", Role::kReader, "app", Scope()});
  EXPECT_FALSE(app.may_overbook);
  EXPECT_EQ(app.visibilities, Bit(Visibility::kPublic));
  EXPECT_TRUE(CallerFor({"root", Role::kAdmin, "ops", Scope()}).administrator);
}

TEST(PrincipalsTest, FileReadableByOthersIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.Sub("principals");
  std::ofstream(path) << File();
  chmod(path.c_str(), 0644);
  auto refused = ReadPrincipalsFile(path);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("chmod 600"), std::string::npos);
  chmod(path.c_str(), 0600);
  auto read = ReadPrincipalsFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->size(), 3u);
  EXPECT_EQ(ReadPrincipalsFile(dir.Sub("missing")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace creneau::server

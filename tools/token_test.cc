#include "tools/token.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace creneau::tools {
namespace {

TEST(TokenTest, TokensAreLongRandomAndWebSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = NewBearerToken();
    // "crn_" and 32 bytes in base64url, no padding.
    ASSERT_EQ(token.size(), 47u);
    ASSERT_TRUE(token.starts_with("crn_")) << token;
    for (char c : token) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                  c == '_')
          << token;
    }
    ASSERT_TRUE(seen.insert(token).second) << "a token came twice";
  }
}

TEST(TokenTest, DigestIsSha256InHex) {
  // SHA-256("abc"), FIPS 180-2: the same digest creneaud computes.
  EXPECT_EQ(BearerTokenDigest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
            "0015ad");
}

TEST(TokenTest, PrincipalLinesAreCheckedAsTheServerReadsThem) {
  auto line = PrincipalLine("sha256:00", "sas17-1", "regulator", "sas-17",
                            "cpts-royan-atlantique,dep-17");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line,
            "sha256:00 sas17-1 regulator sas-17 cpts-royan-atlantique,dep-17");
  EXPECT_TRUE(PrincipalLine("cn:x", "a", "feed", "vendor", "*").ok());
  EXPECT_EQ(PrincipalLine("x", "a b", "feed", "v", "*").status().message(),
            "NAME: must be 1 to 64 characters of [A-Za-z0-9._:-]");
  EXPECT_EQ(PrincipalLine("x", "a", "root", "v", "*").status().message(),
            "ROLE: must be feed, regulator, reader or admin");
  EXPECT_FALSE(PrincipalLine("x", "a", "feed", "", "*").ok());
  EXPECT_FALSE(PrincipalLine("x", "a", "feed", "v", "t1,,t2").ok());
}

TEST(TokenTest, AppendCreatesAPrivateFileAndRefusesDuplicatesAndOpenFiles) {
  char pattern[] = "/tmp/creneau-token-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string path = std::string(pattern) + "/principals";
  const std::string a =
      *PrincipalLine("cn:a", "sas17-1", "regulator", "sas-17", "*");
  const std::string b = *PrincipalLine("cn:b", "app", "reader", "app", "*");
  ASSERT_TRUE(AppendPrincipalLine(path, a).ok());
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_TRUE(AppendPrincipalLine(path, b).ok());
  const absl::Status again = AppendPrincipalLine(path, a);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), a + "\n" + b + "\n");
  chmod(path.c_str(), 0644);
  const absl::Status open = AppendPrincipalLine(
      path, *PrincipalLine("cn:c", "c", "reader", "app", "*"));
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition) << open;
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace creneau::tools

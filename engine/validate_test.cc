#include "engine/validate.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace creneau {
namespace {

TEST(ValidateTest, Ids) {
  EXPECT_TRUE(IsValidId("10003456789"));
  EXPECT_TRUE(IsValidId("doctolib:slot-42_a.b"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("has space"));
  EXPECT_FALSE(IsValidId("slash/no"));
  EXPECT_FALSE(IsValidId("é"));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_TRUE(IsValidRequestId(std::string(36, 'r')));
  EXPECT_FALSE(IsValidRequestId(std::string(37, 'r')));
}

TEST(ValidateTest, HoldTokens) {
  EXPECT_TRUE(IsValidHoldToken("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsValidHoldToken("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(IsValidHoldToken("0123456789abcdef"));
  EXPECT_FALSE(IsValidHoldToken("0123456789abcdef0123456789abcdeg"));
}

TEST(ValidateTest, CommuneCodes) {
  EXPECT_TRUE(IsValidCommuneCode("17306"));
  EXPECT_TRUE(IsValidCommuneCode("2A004"));
  EXPECT_TRUE(IsValidCommuneCode("97411"));
  EXPECT_FALSE(IsValidCommuneCode("2C004"));
  EXPECT_FALSE(IsValidCommuneCode("1730"));
  EXPECT_FALSE(IsValidCommuneCode("173066"));
  EXPECT_FALSE(IsValidCommuneCode("17a06"));
}

TEST(ValidateTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Dr Étienne Lefèvre — Royan"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));         // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));     // Surrogate.
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));         // Truncated.
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8(std::string("a\0b", 3)));  // NUL.
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // Above U+10FFFF.
}

TEST(ValidateTest, LatLng) {
  EXPECT_TRUE(IsValidLatLng({45.62, -1.03}));
  EXPECT_TRUE(IsValidLatLng({-90, 180}));
  EXPECT_FALSE(IsValidLatLng({90.01, 0}));
  EXPECT_FALSE(IsValidLatLng({0, -180.5}));
  EXPECT_FALSE(IsValidLatLng({std::nan(""), 0}));
  EXPECT_FALSE(IsValidLatLng({0, INFINITY}));
}

TEST(ValidateTest, TimeZoneNames) {
  EXPECT_TRUE(IsValidTimeZoneName("Europe/Paris"));
  EXPECT_TRUE(IsValidTimeZoneName("America/Port-au-Prince"));
  EXPECT_FALSE(IsValidTimeZoneName(""));
  EXPECT_FALSE(IsValidTimeZoneName("Europe/Paris "));
  EXPECT_FALSE(IsValidTimeZoneName("../../etc/passwd."));
}

}  // namespace
}  // namespace creneau

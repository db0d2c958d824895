#include "engine/internal/booking_key.h"

#include <cstdio>
#include <random>
#include <string>
#include <tuple>

#include "absl/strings/str_format.h"
#include "engine/limits.h"
#include "gtest/gtest.h"

namespace creneau::internal {
namespace {

TEST(BookingKeyTest, RecognisesBookingIds) {
  EXPECT_TRUE(IsBookingId("bk-0123456789abcdef0123"));
  EXPECT_FALSE(IsBookingId(""));
  EXPECT_FALSE(IsBookingId("bk-0123456789abcdef012"));    // Short.
  EXPECT_FALSE(IsBookingId("bk-0123456789abcdef01234"));  // Long.
  EXPECT_FALSE(IsBookingId("bk-0123456789ABCDEF0123"));   // Upper case.
  EXPECT_FALSE(IsBookingId("bx-0123456789abcdef0123"));
  EXPECT_FALSE(IsBookingId("bk-0123456789abcdef012g"));
}

TEST(BookingKeyTest, RoundTripsEdgeIds) {
  for (const std::string id :
       {"bk-00000000000000000000", "bk-ffffffffffffffffffff",
        "bk-0000000000000000ffff", "bk-ffffffffffffffff0000"}) {
    EXPECT_EQ(BookingIdOfKey(BookingKeyOf(7, id)), id);
  }
}

// Random (time, id) pairs: keys order exactly as the pairs of strings do,
// and give their id back.
TEST(BookingKeyTest, OrdersAsTheStrings) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  auto random_id = [&] {
    // Shared prefixes are common, so ties on the high digits occur.
    const uint64_t high = rng() % 4 == 0 ? 42 : rng();
    return absl::StrFormat("bk-%016x%04x", high, rng() % 0x10000);
  };
  int compared = 0;
  for (int i = 0; i < 100000; ++i) {
    const int64_t ta = static_cast<int64_t>(rng() % 3);
    const int64_t tb = static_cast<int64_t>(rng() % 3);
    const std::string a = random_id(), b = random_id();
    ASSERT_EQ(BookingIdOfKey(BookingKeyOf(ta, a)), a);
    ASSERT_EQ(BookingKeyOf(ta, a) < BookingKeyOf(tb, b),
              std::tie(ta, a) < std::tie(tb, b))
        << ta << " " << a << " / " << tb << " " << b;
    ++compared;
  }
  EXPECT_EQ(compared, 100000);
}

}  // namespace
}  // namespace creneau::internal

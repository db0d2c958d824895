#include "engine/slot_index.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

constexpr uint32_t kBase = 1'900'000'000;  // 2030-03-17.

IndexEntry MakeEntry(SlotNo slot, LatLng where, uint32_t start) {
  IndexEntry e;
  e.slot = slot;
  // Sixteen values: eight in the top bits (those teleconsultation keys
  // use), each with two low ones that only the full key tells apart. Most
  // ties are decided by the key, some fall to the slot.
  const uint32_t mix = slot * 2654435761u;
  e.tie_key = (mix >> 13) % 8 << 29 | (mix >> 7) % 2;
  e.point = geo::ToUnitPoint(where);
  e.cell = geo::LeafCellId(e.point);
  e.start_unix_s = start;
  e.modality = Modality::kInOffice;
  e.visibility = Visibility::kPublic;
  e.home_visit_radius_km = limits::kDefaultHomeVisitRadiusKm;
  return e;
}

IndexQuery BaseQuery(LatLng center, double radius_m) {
  IndexQuery q;
  q.professions = Bit(Profession::kGeneralPractitioner);
  q.center = geo::ToS2Point(center);
  q.radius_m = radius_m;
  q.from_unix_s = kBase;
  q.to_unix_s = kBase + 48 * 3600;
  q.visibilities = Bit(Visibility::kPublic);
  q.now_unix_s = kBase - 600;
  q.limit = 20;
  return q;
}

bool IdLess(SlotNo a, SlotNo b) { return a < b; }

// A week's load per slot for the balanced order: a fixed function of the
// slot number, so the index and the brute force agree; quarter steps, so
// equal scores (ties by slot) occur.
double TestLoad(SlotNo no) { return (no * 2654435761u >> 7) % 5 / 4.0; }

using AllEntries = std::map<SlotNo, std::pair<Profession, IndexEntry>>;

// What a scan of every entry returns for `q`, best first.
std::vector<Candidate> BruteForce(const IndexQuery& q, const AllEntries& all) {
  std::vector<Candidate> expected;
  const double limit = geo::ChordSquaredForMeters(q.radius_m);
  const double remote_limit =
      geo::ChordSquaredForMeters(limits::kTeleconsultationReachM);
  for (const auto& [no, pe] : all) {
    const auto& [profession, e] = pe;
    if ((q.professions & Bit(profession)) == 0 || !MatchesFilters(q, e) ||
        no == q.excluded) {
      continue;
    }
    Candidate c;
    c.slot = no;
    c.start_unix_s = e.start_unix_s;
    c.tie_key = e.tie_key;
    c.chord_squared = geo::ChordSquared(q.center, e.point);
    c.regular_place_free = e.regular_place_free;
    // The home-visit reach, computed here rather than by the index's own
    // helper, so that a wrong rule there shows as a difference.
    const bool beyond_home_visit_reach =
        e.modality == Modality::kHomeVisit &&
        c.chord_squared >
            geo::ChordSquaredForMeters(e.home_visit_radius_km * 1000.0);
    // A teleconsultation is bound by its reach, not the radius, and ranks
    // as if at the patient's door.
    const bool remote = e.modality == Modality::kTeleconsultation;
    if (c.chord_squared > (remote ? remote_limit : limit) ||
        beyond_home_visit_reach) {
      continue;
    }
    c.place_chord_squared = c.chord_squared;
    c.remote = remote;
    if (remote) c.chord_squared = 0;
    c.score = BalancedScore(q.now_unix_s, c.start_unix_s, c.chord_squared,
                            q.weights) +
              q.weights.minutes_per_full_week * TestLoad(no);
    expected.push_back(c);
  }
  std::sort(expected.begin(), expected.end(),
            [&](const Candidate& a, const Candidate& b) {
              return RanksBefore(q.order, a, b, IdLess);
            });
  if (expected.size() > static_cast<size_t>(q.limit)) expected.resize(q.limit);
  return expected;
}

// Searches `index` with `q` and expects exactly BruteForce's slots, in order.
void ExpectSameAsBruteForce(const SlotIndex& index, const IndexQuery& q,
                            const AllEntries& all, const std::string& where) {
  std::vector<Candidate> out;
  index.Search(q, IdLess, TestLoad, &out);
  const std::vector<Candidate> expected = BruteForce(q, all);
  ASSERT_EQ(out.size(), expected.size()) << where;
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_EQ(out[i].slot, expected[i].slot) << where << " rank " << i;
    // What the answer shows: the distance to the place, a video call or not.
    ASSERT_EQ(out[i].place_chord_squared, expected[i].place_chord_squared)
        << where << " rank " << i;
    ASSERT_EQ(out[i].remote, expected[i].remote) << where << " rank " << i;
  }
}

TEST(SlotIndexTest, InsertEraseContains) {
  SlotIndex index;
  const IndexEntry e = MakeEntry(7, {45.62, -1.03}, kBase + 3600);
  index.Insert(Profession::kNurse, e);
  EXPECT_TRUE(index.Contains(Profession::kNurse, e));
  EXPECT_FALSE(index.Contains(Profession::kDentist, e));
  IndexEntry remote = e;
  remote.modality = Modality::kTeleconsultation;
  EXPECT_FALSE(index.Contains(Profession::kNurse, remote));
  index.Insert(Profession::kNurse, remote);
  EXPECT_TRUE(index.Contains(Profession::kNurse, remote));
  index.Erase(Profession::kNurse, remote);
  EXPECT_EQ(index.size(), 1u);
  index.Erase(Profession::kNurse, e);
  EXPECT_FALSE(index.Contains(Profession::kNurse, e));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.partition_count(), 0u);
}

TEST(SlotIndexTest, FiltersByProfessionWindowModalityVisibilityAndRadius) {
  SlotIndex index;
  const LatLng royan{45.6248, -1.0281};
  index.Insert(Profession::kGeneralPractitioner,
               MakeEntry(1, royan, kBase + 60));
  index.Insert(Profession::kNurse, MakeEntry(2, royan, kBase + 60));
  index.Insert(Profession::kGeneralPractitioner,
               MakeEntry(3, royan, kBase + 49 * 3600));  // After the window.
  IndexEntry home = MakeEntry(4, royan, kBase + 120);
  home.modality = Modality::kHomeVisit;
  index.Insert(Profession::kGeneralPractitioner, home);
  IndexEntry regulation = MakeEntry(5, royan, kBase + 180);
  regulation.visibility = Visibility::kRegulation;
  index.Insert(Profession::kGeneralPractitioner, regulation);
  index.Insert(
      Profession::kGeneralPractitioner,
      MakeEntry(6, {46.16, -1.15}, kBase + 60));  // La Rochelle, 60 km.
  IndexEntry overbooking = MakeEntry(8, royan, kBase + 240);
  overbooking.regular_place_free = false;
  index.Insert(Profession::kGeneralPractitioner, overbooking);

  IndexQuery q = BaseQuery(royan, 10000);
  q.modalities = Bit(Modality::kInOffice);
  std::vector<Candidate> out;
  index.Search(q, IdLess, TestLoad, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].slot, 1u);

  q.modalities = kAllModalities;
  q.visibilities |= Bit(Visibility::kRegulation);
  q.may_overbook = true;
  q.radius_m = 100000;
  index.Search(q, IdLess, TestLoad, &out);
  std::vector<SlotNo> slots;
  for (const Candidate& c : out) slots.push_back(c.slot);
  // Soonest first; slots 1 and 6 start together, the nearer (1) first.
  EXPECT_EQ(slots, (std::vector<SlotNo>{1, 6, 4, 5, 8}));

  // Home visits in Cozes, about 16 km from Royan: offered only when the
  // professional goes that far.
  const LatLng cozes{45.5836, -0.8322};
  IndexEntry near_enough = MakeEntry(10, cozes, kBase + 300);
  near_enough.modality = Modality::kHomeVisit;
  near_enough.home_visit_radius_km = 20;
  index.Insert(Profession::kGeneralPractitioner, near_enough);
  IndexEntry too_far = MakeEntry(11, cozes, kBase + 300);
  too_far.modality = Modality::kHomeVisit;
  too_far.home_visit_radius_km = 10;
  index.Insert(Profession::kGeneralPractitioner, too_far);
  q.modalities = Bit(Modality::kHomeVisit);
  index.Search(q, IdLess, TestLoad, &out);
  slots.clear();
  for (const Candidate& c : out) slots.push_back(c.slot);
  EXPECT_EQ(slots, (std::vector<SlotNo>{4, 10}));
}

TEST(SlotIndexTest, CptsMembersVisibility) {
  SlotIndex index;
  const LatLng p{45.62, -1.03};
  IndexEntry e = MakeEntry(1, p, kBase + 60);
  e.visibility = Visibility::kCptsMembers;
  e.cpts = 3;
  index.Insert(Profession::kGeneralPractitioner, e);
  IndexQuery q = BaseQuery(p, 5000);
  std::vector<Candidate> out;
  index.Search(q, IdLess, TestLoad, &out);
  EXPECT_TRUE(out.empty());
  q.caller_cpts = 3;
  index.Search(q, IdLess, TestLoad, &out);
  EXPECT_EQ(out.size(), 1u);
  q.caller_cpts = 4;
  index.Search(q, IdLess, TestLoad, &out);
  EXPECT_TRUE(out.empty());
}

// The index must return exactly what a scan of every entry returns, for every
// order, many random queries, with early termination in play.
TEST(SlotIndexTest, MatchesBruteForceOnRandomData) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lat(45.3, 45.9), lng(-1.4, -0.6),
      far_lat(42.0, 51.0), far_lng(-4.5, 8.0);
  std::uniform_int_distribution<uint32_t> start(kBase - 3600,
                                                kBase + 5 * 86400);
  std::uniform_int_distribution<int> modality(1, 3), visibility(1, 4),
      coin(0, 9);

  SlotIndex index;
  AllEntries all;
  for (SlotNo no = 0; no < 4000; ++no) {
    const Profession profession =
        coin(rng) < 7 ? Profession::kGeneralPractitioner : Profession::kNurse;
    // One in ten far away: across France (teleconsultations reach it)
    // or in La Reunion (beyond every reach from Charente-Maritime).
    const int where = coin(rng) == 0 ? 1 + no % 2 : 0;
    const LatLng point = where == 0   ? LatLng{lat(rng), lng(rng)}
                         : where == 1 ? LatLng{far_lat(rng), far_lng(rng)}
                                      : LatLng{-21.1, 55.5};
    IndexEntry e = MakeEntry(no, point, start(rng) / 900 * 900);
    e.modality = static_cast<Modality>(modality(rng));
    e.home_visit_radius_km = static_cast<uint8_t>(1 + coin(rng) * 3);
    e.visibility = static_cast<Visibility>(visibility(rng));
    e.regular_place_free = coin(rng) != 0;
    e.cpts = static_cast<uint16_t>(coin(rng) % 3);
    index.Insert(profession, e);
    all[no] = {profession, e};
  }
  // Erase a tenth, as holds and withdrawals would.
  for (SlotNo no = 0; no < 4000; no += 10) {
    const auto& [profession, e] = all[no];
    index.Erase(profession, e);
    all.erase(no);
  }
  // Bring every other one back with a changed place, as a released hold
  // would; then publish more, enough to merge pending entries.
  for (SlotNo no = 0; no < 4000; no += 20) {
    IndexEntry e = MakeEntry(no, {lat(rng), lng(rng)}, start(rng) / 900 * 900);
    e.regular_place_free = coin(rng) < 5;
    index.Insert(Profession::kNurse, e);
    all[no] = {Profession::kNurse, e};
  }
  for (SlotNo no = 4000; no < 6000; ++no) {
    IndexEntry e = MakeEntry(no, {lat(rng), lng(rng)}, start(rng) / 900 * 900);
    index.Insert(Profession::kGeneralPractitioner, e);
    all[no] = {Profession::kGeneralPractitioner, e};
  }
  ASSERT_EQ(index.size(), all.size());

  for (int trial = 0; trial < 400; ++trial) {
    IndexQuery q = BaseQuery({lat(rng), lng(rng)}, 500.0 + coin(rng) * 3000);
    // One profession or both, as a search with other_professions.
    const int professions = coin(rng);
    q.professions = professions < 5   ? Bit(Profession::kGeneralPractitioner)
                    : professions < 8 ? Bit(Profession::kNurse)
                                      : Bit(Profession::kGeneralPractitioner) |
                                            Bit(Profession::kNurse);
    // The load weighs nothing, as much as the distance, or more.
    q.weights.minutes_per_full_week = 300.0 * (coin(rng) % 3);
    q.order = static_cast<SearchOrder>(1 + trial % 3);
    q.limit = 1 + coin(rng) * 5;
    q.modalities = static_cast<ModalityMask>(
        coin(rng) < 5 ? kAllModalities : Bit(Modality::kInOffice));
    q.visibilities = Bit(Visibility::kPublic) |
                     (coin(rng) < 5 ? Bit(Visibility::kRegulation) : 0);
    q.may_overbook = coin(rng) < 5;
    q.caller_cpts = static_cast<uint16_t>(coin(rng) % 3);
    q.from_unix_s = kBase + coin(rng) * 3600;
    q.to_unix_s = q.from_unix_s + 1 + coin(rng) * 12 * 3600;
    q.excluded = coin(rng) < 3 ? static_cast<SlotNo>(trial * 7) : kNoSlot;

    ExpectSameAsBruteForce(index, q, all,
                           absl::StrCat("seed ", seed, " trial ", trial));
    if (HasFatalFailure()) return;
  }
}

// A dense town: hundreds of practices share one cell key (a few hundred
// meters), searched with radii whose coverings are finer than the keys, so
// key ranges merge and erasures find their entry among many of one key.
TEST(SlotIndexTest, SmallRadiiInADenseTown) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  // About 1.1 km by 0.8 km around Paris's Place de la République.
  std::uniform_real_distribution<double> lat(48.862, 48.872), lng(2.358, 2.369),
      radius(30, 900);
  std::uniform_int_distribution<uint32_t> start(kBase, kBase + 6 * 3600);
  std::uniform_int_distribution<int> coin(0, 9);

  SlotIndex index;
  AllEntries all;
  for (SlotNo no = 0; no < 5000; ++no) {
    IndexEntry e = MakeEntry(no, {lat(rng), lng(rng)}, start(rng) / 900 * 900);
    index.Insert(Profession::kGeneralPractitioner, e);
    all[no] = {Profession::kGeneralPractitioner, e};
  }
  for (int trial = 0; trial < 600; ++trial) {
    // Take a few out and put a few back between searches.
    for (int change = 0; change < 5; ++change) {
      const SlotNo no = static_cast<SlotNo>(rng() % 5000);
      auto it = all.find(no);
      if (it != all.end()) {
        const IndexEntry& e = it->second.second;
        ASSERT_TRUE(index.Contains(Profession::kGeneralPractitioner, e));
        index.Erase(Profession::kGeneralPractitioner, e);
        all.erase(it);
      } else {
        IndexEntry e =
            MakeEntry(no, {lat(rng), lng(rng)}, start(rng) / 900 * 900);
        index.Insert(Profession::kGeneralPractitioner, e);
        all[no] = {Profession::kGeneralPractitioner, e};
      }
    }
    IndexQuery q = BaseQuery({lat(rng), lng(rng)}, radius(rng));
    q.order = static_cast<SearchOrder>(1 + trial % 3);
    q.limit = 1 + coin(rng) * 10;
    ExpectSameAsBruteForce(index, q, all,
                           absl::StrCat("seed ", seed, " trial ", trial));
    if (HasFatalFailure()) return;
  }
  ASSERT_EQ(index.size(), all.size());
}

// Teleconsultations are read in rank order and left at the first that
// cannot rank: many at few starts, their tie keys often equal in the top
// bits the partition orders by (and then told apart by the low bits or the
// slot), some inserted after the others (a pending run beside the main
// one), some of them offices in town: every order and small limits must
// still give the brute force's answer.
TEST(SlotIndexTest, TeleconsultationsStopInRankOrder) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lat(43.0, 50.0), lng(-1.5, 7.0);
  std::uniform_int_distribution<int> coin(0, 9);
  SlotIndex index;
  AllEntries all;
  const auto add = [&](SlotNo no) {
    IndexEntry e =
        MakeEntry(no, {lat(rng), lng(rng)}, kBase + 900 * (rng() % 4));
    e.modality =
        coin(rng) < 8 ? Modality::kTeleconsultation : Modality::kInOffice;
    e.tie_key = static_cast<uint32_t>(rng() % 4) << 30 |
                static_cast<uint32_t>(rng() % 3);
    e.regular_place_free = coin(rng) < 8;
    index.Insert(Profession::kGeneralPractitioner, e);
    all[no] = {Profession::kGeneralPractitioner, e};
  };
  for (SlotNo no = 0; no < 3000; ++no) add(no);
  for (int trial = 0; trial < 600; ++trial) {
    if (trial % 50 == 0) {  // A few more, left pending until a merge.
      for (int i = 0; i < 20; ++i) add(3000 + trial + i * 1000);
    }
    IndexQuery q = BaseQuery({lat(rng), lng(rng)}, 300.0 + coin(rng) * 2000);
    q.order = static_cast<SearchOrder>(1 + trial % 3);
    q.limit = 1 + coin(rng) % 5;
    q.modalities = kAllModalities;
    q.may_overbook = coin(rng) < 5;
    q.weights.minutes_per_full_week = 300.0 * (coin(rng) % 2);
    q.from_unix_s = kBase + 900 * (coin(rng) % 2);
    ExpectSameAsBruteForce(index, q, all,
                           absl::StrCat("seed ", seed, " trial ", trial));
    if (HasFatalFailure()) return;
  }
}

// The tie key is a fixed function of the id (the same in every process, so
// answers do not change with a restart) that does not follow the ids'
// order: of a GP's 08:00 slots on 200 days, or of 200 GPs' 08:00 slots,
// the one with the smallest id is not the one with the smallest key, and
// the keys of neighbouring ids spread over the whole range.
TEST(SlotIndexTest, TieKeysAreFixedAndUnrelatedToIdOrder) {
  EXPECT_EQ(TieKeyOf("t:10000000046-1:20261201T0800"),
            TieKeyOf(std::string("t:10000000046-1:") + "20261201T0800"));
  int key_follows_id = 0;
  uint32_t lowest = UINT32_MAX, highest = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string a =
        absl::StrCat("t:", 10000000000 + i, "-1:20261201T0800");
    const std::string b =
        absl::StrCat("t:", 10000000000 + i, "-1:20261201T0815");
    key_follows_id += TieKeyOf(a) < TieKeyOf(b);
    lowest = std::min(lowest, TieKeyOf(a));
    highest = std::max(highest, TieKeyOf(a));
  }
  // About half by chance; ids in order would give 200.
  EXPECT_GT(key_follows_id, 60);
  EXPECT_LT(key_follows_id, 140);
  EXPECT_LT(lowest, UINT32_MAX / 16);
  EXPECT_GT(highest, UINT32_MAX / 16 * 15);
}

}  // namespace
}  // namespace creneau

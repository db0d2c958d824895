// Fair ranking on the Royan demo: a regulator books the best balanced match
// for 100 patients of Royan in a row, as on a busy morning. With the week's
// load in the score, the bookings spread over many GPs; with its weight at
// zero (the order before the load term), the nearest and soonest fill
// first. Either way no GP goes beyond the weekly cap.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/effects.h"
#include "engine/engine.h"
#include "engine/testing/fixtures.h"
#include "gtest/gtest.h"
#include "territory/territory_generator.h"
#include "territory/territory_source.h"

namespace creneau {
namespace {

constexpr int kBookings = 100;
constexpr char kRoyan[] = "17306";

struct Spread {
  std::map<std::string, int> per_professional;  // Bookings.
  int most = 0;                                 // Of one professional.
  int booked = 0;
};

// Publishes the demo territory of Royan Atlantique (661 professionals, as
// `creneaud --demo` does) in an engine with the default weekly cap of 20,
// then books kBookings times the first balanced match for a patient of
// Royan, all at the same instant.
Spread BookInARow(double minutes_per_full_week) {
  const std::shared_ptr<const CommuneTable> communes =
      testing::ShippedCommunes();
  std::vector<const Commune*> members =
      communes->CommunesOfEpci(territory::kRoyanAtlantiqueSiren);
  EXPECT_EQ(members.size(), 33u);
  territory::TerritoryOptions options;
  options.target_professionals = 661;
  // A Monday morning, so the window searched lies in one week.
  const absl::TimeZone paris = [] {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Paris", &zone));
    return zone;
  }();
  const absl::Time now =
      absl::FromCivil(absl::CivilMinute(2030, 3, 18, 8, 0), paris);
  options.start = now;
  options.days = 7;
  absl::StatusOr<territory::SyntheticTerritory> demo =
      territory::GenerateTerritory(members, options);
  EXPECT_TRUE(demo.ok()) << demo.status();

  EngineOptions engine_options;  // The default cap, 20 a week.
  engine_options.ranking.minutes_per_full_week = minutes_per_full_week;
  Engine engine(communes, engine_options);
  const Caller feed{"demo-feed", Bit(Visibility::kPublic), false, "demo"};
  const absl::StatusOr<size_t> published =
      territory::PublishInto(engine, feed, *demo, now);
  EXPECT_TRUE(published.ok()) << published.status();
  Effects effects;

  const Caller regulator{"sas-17",
                         Bit(Visibility::kPublic) |
                             Bit(Visibility::kProfessionals) |
                             Bit(Visibility::kRegulation),
                         false, "sas-17"};
  Spread spread;
  for (int i = 0; i < kBookings; ++i) {
    SearchQuery query;
    query.commune_code = kRoyan;
    query.profession = Profession::kGeneralPractitioner;
    query.modalities = Bit(Modality::kInOffice);
    query.order = SearchOrder::kBalanced;
    // The rest of the week: agendas hold a GP's sessions on one or two
    // weekdays, so two days reach only a fraction of them.
    query.window_end_unix_s = absl::ToUnixSeconds(now + absl::Hours(5 * 24));
    SearchResult result;
    EXPECT_TRUE(engine.Search(regulator, query, now, &result).ok());
    if (result.hits.empty()) break;
    const SearchHit& best = result.hits.front();
    const SlotView view = engine.ViewSlot(best.slot);
    const std::string token = absl::StrFormat("%032x", i + 1);
    const absl::StatusOr<Hold> hold =
        engine.HoldSlot(regulator, {absl::StrCat("h", i), 1},
                        {view.slot.id, token, 300}, now, &effects);
    EXPECT_TRUE(hold.ok()) << hold.status();
    if (!hold.ok()) break;
    const absl::StatusOr<Booking> booking = engine.ConfirmBooking(
        regulator, {absl::StrCat("c", i), 2},
        {view.slot.id, token, absl::StrCat("patient-", i), ""}, now, &effects);
    EXPECT_TRUE(booking.ok()) << booking.status();
    if (!booking.ok()) break;
    spread.most = std::max(
        spread.most, ++spread.per_professional[view.slot.professional_id]);
    ++spread.booked;
    effects.Clear();
  }
  return spread;
}

TEST(FairnessTest, BookingsSpreadOverProfessionalsWithinTheCap) {
  const double default_weight = RankingWeights{}.minutes_per_full_week;
  std::map<double, Spread> by_weight;
  for (double weight : {0.0, 600.0, default_weight, 2880.0, 10080.0}) {
    by_weight[weight] = BookInARow(weight);
    const Spread& spread = by_weight[weight];
    std::printf(
        "%d bookings of GPs from Royan, balanced order, %.0f min for a full "
        "week: %zu professionals, at most %d each\n",
        spread.booked, weight, spread.per_professional.size(), spread.most);
  }
  const Spread& fair = by_weight[default_weight];
  const Spread& unweighted = by_weight[0.0];
  for (const auto& [weight, spread] : by_weight) {
    ASSERT_EQ(spread.booked, kBookings) << weight;
    // All within one week: nobody above the cap, whatever the weight.
    EXPECT_LE(spread.most, limits::kDefaultWeeklyOrientationCap) << weight;
  }
  // The load spreads the bookings: fewer for the busiest professional.
  // Agendas hold sessions of consecutive slots, so the professionals a
  // morning's bookings can reach are those with a session soon: the default
  // weight (72 minutes an orientation) trades little waiting for spread.
  EXPECT_GE(fair.per_professional.size(), unweighted.per_professional.size());
  EXPECT_LT(fair.most, unweighted.most);
  // A heavier weight spreads further: a full week of load worth a week of
  // waiting reaches half as many professionals again.
  const Spread& heavy = by_weight[10080.0];
  EXPECT_GE(heavy.per_professional.size() * 2,
            unweighted.per_professional.size() * 3);
  EXPECT_LE(heavy.most, fair.most);
}

}  // namespace
}  // namespace creneau

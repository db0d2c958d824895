#include "bench/engine_figures.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/fixtures.h"
#include "engine/check.h"
#include "engine/limits.h"

namespace creneau::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NanosSince(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now() - start)
      .count();
}

// Publishes the territory's agendas; returns the slots they generated.
size_t Publish(Engine& engine, const territory::SyntheticTerritory& territory,
               absl::Time now) {
  const Caller feed{"bench-feed", Bit(Visibility::kPublic), false, ""};
  absl::StatusOr<size_t> slots =
      territory::PublishInto(engine, feed, territory, now);
  CRENEAU_CHECK(slots.ok());
  return *slots;
}

SearchQuery QueryOf(const SearchAsk& ask) {
  SearchQuery query;
  query.commune_code = ask.commune->insee;
  query.profession = ask.profession;
  query.limit = 20;
  query.order = SearchOrder::kSoonest;
  return query;
}

}  // namespace

EngineFigures MeasureEngine(std::shared_ptr<const CommuneTable> communes,
                            const territory::SyntheticTerritory& territory,
                            const Workload& workload, absl::Time now,
                            const EngineFiguresOptions& options) {
  EngineFigures figures;
  const size_t heap_before = HeapBytesInUse();
  // Uncapped: the hold+confirm figure counts bookings, not refusals by the
  // weekly cap (whose bookkeeping still runs on every hold).
  EngineOptions engine_options;
  engine_options.default_weekly_orientation_cap = 0;
  auto engine = std::make_unique<Engine>(communes, engine_options);
  const auto build_start = SteadyClock::now();
  figures.slots = Publish(*engine, territory, now);
  const double build_s = NanosSince(build_start) / 1e9;
  figures.index_build_slots_per_s = figures.slots / std::max(build_s, 1e-9);
  figures.bytes_per_slot =
      static_cast<double>(HeapBytesInUse() - heap_before) / figures.slots;
  std::fprintf(stderr,
               "engine: %zu slots indexed in %.2f s (%.0f slots/s), %.0f "
               "bytes/slot\n",
               figures.slots, build_s, figures.index_build_slots_per_s,
               figures.bytes_per_slot);

  std::mt19937_64 rng(options.seed);
  Workload draw = workload;
  SearchResult result;
  int64_t empty = 0, hits = 0;
  for (int i = 0; i < options.searches / 10; ++i) {  // Warm-up.
    CRENEAU_CHECK(
        engine->Search(BenchRegulator(), QueryOf(draw.Next(rng)), now, &result)
            .ok());
  }
  for (int i = 0; i < options.searches; ++i) {
    const SearchQuery query = QueryOf(draw.Next(rng));
    const auto start = SteadyClock::now();
    const absl::Status status =
        engine->Search(BenchRegulator(), query, now, &result);
    figures.search.Record(NanosSince(start));
    CRENEAU_CHECK(status.ok());
    empty += result.hits.empty();
    hits += result.hits.size();
  }
  figures.search_empty_fraction = static_cast<double>(empty) / options.searches;
  figures.search_mean_hits = static_cast<double>(hits) / options.searches;
  std::fprintf(stderr, "engine search: %s, %.1f hits, %.2f%% empty\n",
               figures.search.Summary().c_str(), figures.search_mean_hits,
               100 * figures.search_empty_fraction);

  // Hold + confirm on a slot a search returned, tokens and ids made
  // beforehand: the figure is the engine's own work.
  Effects effects;
  int booked = 0;
  for (int i = 0; booked < options.bookings && i < options.bookings * 4; ++i) {
    CRENEAU_CHECK(
        engine->Search(BenchRegulator(), QueryOf(draw.Next(rng)), now, &result)
            .ok());
    if (result.hits.empty()) continue;
    const std::string slot_id = std::string(
        engine->ViewSlot(result.hits[rng() % result.hits.size()].slot).slot.id);
    const HoldCommand hold{slot_id, absl::StrFormat("%032x", i),
                           limits::kDefaultHoldTtlS};
    const RequestKey hold_key{absl::StrCat("h-", i), 1};
    const ConfirmCommand confirm{slot_id, hold.token, "bench-patient", ""};
    const RequestKey confirm_key{absl::StrCat("c-", i), 2};
    const auto start = SteadyClock::now();
    const absl::StatusOr<Hold> held =
        engine->HoldSlot(BenchRegulator(), hold_key, hold, now, &effects);
    if (!held.ok()) {
      ++figures.hold_refusals;
      effects.Clear();
      continue;
    }
    const absl::StatusOr<Booking> booking = engine->ConfirmBooking(
        BenchRegulator(), confirm_key, confirm, now, &effects);
    figures.hold_confirm.Record(NanosSince(start));
    CRENEAU_CHECK(booking.ok());
    effects.Clear();
    ++booked;
  }
  std::fprintf(stderr, "engine hold+confirm: %s (%lld refused holds)\n",
               figures.hold_confirm.Summary().c_str(),
               static_cast<long long>(figures.hold_refusals));
  return figures;
}

}  // namespace creneau::bench

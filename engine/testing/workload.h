// Workload: what callers of a SAS call centre ask for, drawn the same way by
// every benchmark and load driver so that creneau and its baselines answer
// the same questions.
//
// - The patient's commune is drawn in proportion to population (a call
//   comes from where people live).
// - The profession follows the mix of unscheduled-care demand: mostly
//   general practice, then nurses, physiotherapists, dentists, pharmacies
//   and midwives.
// - The search radius is the one creneau starts with for that commune's
//   density (RadiiForDensity), given explicitly so that PostgreSQL is asked
//   exactly the same disk.
#ifndef CRENEAU_ENGINE_TESTING_WORKLOAD_H_
#define CRENEAU_ENGINE_TESTING_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/commune_table.h"
#include "engine/types.h"

namespace creneau::testing {

struct SearchAsk {
  const Commune* commune = nullptr;
  Profession profession = Profession::kUnspecified;
  int32_t radius_m = 0;
};

class Workload {
 public:
  // Draws among the inhabited communes of `origins` (empty: every commune
  // of `communes`). `communes` must outlive the workload. Copy it for each
  // thread: drawing is not thread-safe.
  Workload(const CommuneTable& communes,
           const std::vector<const Commune*>& origins);

  // Draws one search.
  SearchAsk Next(std::mt19937_64& rng) const;

  // The demand mix, in the order of ProfessionWeights().
  static const std::vector<Profession>& Professions();

 private:
  const CommuneTable& communes_;
  std::vector<const Commune*> inhabited_;
  std::vector<int32_t> radius_m_;  // Per inhabited commune.
  mutable std::discrete_distribution<size_t> commune_;
  mutable std::discrete_distribution<size_t> profession_;
};

// The caller every benchmark searches and books as: a SAS regulator (sees
// public, professional and regulation slots; no overbooking).
const Caller& BenchRegulator();

}  // namespace creneau::testing

#endif  // CRENEAU_ENGINE_TESTING_WORKLOAD_H_

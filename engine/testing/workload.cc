#include "engine/testing/workload.h"

namespace creneau::testing {
namespace {

// Unscheduled-care demand by profession (share of calls), in the order of
// Workload::Professions().
constexpr double kProfessionWeights[] = {60, 14, 8, 8, 6, 4};

}  // namespace

const std::vector<Profession>& Workload::Professions() {
  static const std::vector<Profession> professions = {
      Profession::kGeneralPractitioner, Profession::kNurse,
      Profession::kPhysiotherapist,     Profession::kDentist,
      Profession::kPharmacist,          Profession::kMidwife};
  return professions;
}

Workload::Workload(const CommuneTable& communes,
                   const std::vector<const Commune*>& origins)
    : communes_(communes) {
  std::vector<const Commune*> all = origins;
  if (all.empty()) {
    for (const Commune& c : communes_.communes()) all.push_back(&c);
  }
  std::vector<double> weights;
  for (const Commune* c_ptr : all) {
    const Commune& c = *c_ptr;
    if (c.population <= 0) continue;
    inhabited_.push_back(&c);
    weights.push_back(static_cast<double>(c.population));
    radius_m_.push_back(RadiiForDensity(communes_.DensityAround(c)).initial_m);
  }
  commune_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  profession_ = std::discrete_distribution<size_t>(
      std::begin(kProfessionWeights), std::end(kProfessionWeights));
}

SearchAsk Workload::Next(std::mt19937_64& rng) const {
  const size_t i = commune_(rng);
  return SearchAsk{inhabited_[i], Professions()[profession_(rng)],
                   radius_m_[i]};
}

const Caller& BenchRegulator() {
  static const Caller caller{"bench-regulator",
                             Bit(Visibility::kPublic) |
                                 Bit(Visibility::kProfessionals) |
                                 Bit(Visibility::kRegulation),
                             false, ""};
  return caller;
}

}  // namespace creneau::testing

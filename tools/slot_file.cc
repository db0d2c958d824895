#include "tools/slot_file.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/csv.h"
#include "engine/names.h"
#include "google/protobuf/util/json_util.h"

namespace creneau::tools {
namespace {

namespace v1 = ::creneau::v1;

class Row {
 public:
  Row(const std::map<std::string, size_t>& columns,
      const std::vector<std::string>& cells, int line)
      : columns_(columns), cells_(cells), line_(line) {}

  std::string Get(const std::string& column) const {
    auto it = columns_.find(column);
    return it == columns_.end() || it->second >= cells_.size()
               ? ""
               : cells_[it->second];
  }
  absl::Status Bad(const std::string& column, absl::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_, ", column ", column, ": ", why));
  }

 private:
  const std::map<std::string, size_t>& columns_;
  const std::vector<std::string>& cells_;
  int line_;
};

absl::Status ReadLocation(const Row& row, v1::LatLng* out, bool required) {
  const std::string lat = row.Get("latitude"), lng = row.Get("longitude");
  if (lat.empty() && lng.empty() && !required) return absl::OkStatus();
  double la, lo;
  if (!absl::SimpleAtod(lat, &la)) return row.Bad("latitude", "not a number");
  if (!absl::SimpleAtod(lng, &lo)) return row.Bad("longitude", "not a number");
  out->set_latitude(la);
  out->set_longitude(lo);
  return absl::OkStatus();
}

// A whole number in `column`, 0 when the cell is empty or the column
// absent; the server checks its range.
absl::Status ReadOptionalInt(const Row& row, const char* column, int* value) {
  const std::string cell = row.Get(column);
  *value = 0;
  if (!cell.empty() && !absl::SimpleAtoi(cell, value)) {
    return row.Bad(column, "not a whole number");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Slot> SlotRow(const Row& row) {
  v1::Slot s;
  s.set_id(row.Get("id"));
  s.set_professional_id(row.Get("professional_id"));
  absl::Time start;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, row.Get("start_time"), &start,
                       &error)) {
    return row.Bad("start_time",
                   "expected RFC 3339, e.g. 2026-11-24T09:00:00+01:00");
  }
  s.mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
  int minutes = 0;
  if (!absl::SimpleAtoi(row.Get("duration_min"), &minutes)) {
    return row.Bad("duration_min", "not a whole number of minutes");
  }
  s.mutable_duration()->set_seconds(int64_t{minutes} * 60);
  auto modality = ParseModality(row.Get("modality"));
  if (!modality)
    return row.Bad("modality", "in-office, home-visit or teleconsultation");
  s.set_modality(static_cast<v1::Modality>(*modality));
  int capacity = 0, overbooking_places = 0;
  if (absl::Status st = ReadOptionalInt(row, "capacity", &capacity); !st.ok())
    return st;
  if (absl::Status st =
          ReadOptionalInt(row, "overbooking_places", &overbooking_places);
      !st.ok())
    return st;
  s.set_capacity(capacity);
  s.set_overbooking_places(overbooking_places);
  if (const std::string cell = row.Get("visibility"); !cell.empty()) {
    auto visibility = ParseVisibility(cell);
    if (!visibility)
      return row.Bad("visibility",
                     "public, professionals, regulation or cpts-members");
    s.set_visibility(static_cast<v1::Visibility>(*visibility));
  }
  if (absl::Status st = ReadLocation(row, s.mutable_location(), false);
      !st.ok())
    return st;
  if (s.location().latitude() == 0 && s.location().longitude() == 0)
    s.clear_location();
  return s;
}

absl::StatusOr<v1::Professional> ProfessionalRow(const Row& row) {
  v1::Professional p;
  p.set_id(row.Get("id"));
  auto profession = ParseProfession(row.Get("profession"));
  if (!profession)
    return row.Bad("profession", "unknown profession (e.g. gp, nurse, SM54)");
  p.set_profession(static_cast<v1::Profession>(*profession));
  if (absl::Status st = ReadLocation(row, p.mutable_location(), true); !st.ok())
    return st;
  p.set_commune_code(row.Get("commune_code"));
  p.set_time_zone(row.Get("time_zone"));
  if (const std::string cell = row.Get("structure"); !cell.empty()) {
    auto structure = ParseStructureType(cell);
    if (!structure)
      return row.Bad("structure",
                     "own-practice, msp, health-centre or sos-medecins");
    p.set_structure(static_cast<v1::StructureType>(*structure));
  }
  p.set_cpts_id(row.Get("cpts_id"));
  p.set_display_name(row.Get("display_name"));
  int cap = 0, home_visit_radius_km = 0;
  if (absl::Status st = ReadOptionalInt(row, "weekly_orientation_cap", &cap);
      !st.ok())
    return st;
  if (absl::Status st =
          ReadOptionalInt(row, "home_visit_radius_km", &home_visit_radius_km);
      !st.ok())
    return st;
  p.set_weekly_orientation_cap(cap);
  p.set_home_visit_radius_km(home_visit_radius_km);
  return p;
}

absl::StatusOr<SlotFile> ParseCsv(absl::string_view text) {
  CsvReader reader(text);
  std::vector<std::string> cells;
  if (!reader.Next(&cells)) {
    return reader.status().ok() ? absl::InvalidArgumentError("empty file")
                                : reader.status();
  }
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < cells.size(); ++i) columns[cells[i]] = i;
  const bool professionals = columns.contains("profession");
  SlotFile file;
  while (reader.Next(&cells)) {
    if (file.slots.size() + file.professionals.size() >= kMaxSlotFileRows) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxSlotFileRows, " rows"));
    }
    const Row row(columns, cells, reader.line());
    if (professionals) {
      auto p = ProfessionalRow(row);
      if (!p.ok()) return p.status();
      file.professionals.push_back(*std::move(p));
    } else {
      auto s = SlotRow(row);
      if (!s.ok()) return s.status();
      file.slots.push_back(*std::move(s));
    }
  }
  if (!reader.status().ok()) return reader.status();
  return file;
}

absl::StatusOr<SlotFile> ParseJson(absl::string_view text) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  v1::UpsertProfessionalsRequest professionals;
  v1::PublishSlotsRequest slots;
  const std::string json(text);
  for (google::protobuf::Message* message :
       std::initializer_list<google::protobuf::Message*>{&professionals,
                                                         &slots}) {
    auto status =
        google::protobuf::util::JsonStringToMessage(json, message, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JSON: ", status.message().as_string()));
    }
  }
  SlotFile file;
  file.professionals.assign(professionals.professionals().begin(),
                            professionals.professionals().end());
  file.slots.assign(slots.slots().begin(), slots.slots().end());
  return file;
}

}  // namespace

absl::StatusOr<SlotFile> ParseSlotFile(absl::string_view name,
                                       absl::string_view text) {
  if (absl::EndsWithIgnoreCase(name, ".json")) return ParseJson(text);
  if (absl::EndsWithIgnoreCase(name, ".csv")) return ParseCsv(text);
  return absl::InvalidArgumentError(absl::StrCat(
      name, ": name the file .json or .csv so its format is known"));
}

}  // namespace creneau::tools

// The `creneau` commands of administrators: territories, ownership
// transfers and the audit trail.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/names.h"
#include "tools/cli.h"
#include "tools/internal/cli_format.h"
#include "tools/table.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

namespace {

// The source a territory command names; false (and a message) when it names
// none or several.
bool SourceOf(const TerritoryArgs& args, v1::TerritorySource* source,
              std::string* error) {
  const int given = !args.epci.empty() + !args.departement.empty() +
                    !args.communes.empty() + args.national;
  if (given > 1) {
    *error = "give one of --epci, --departement, --communes, --national";
    return false;
  }
  if (!args.epci.empty()) source->set_epci_siren(args.epci);
  if (!args.departement.empty()) source->set_departement(args.departement);
  if (!args.communes.empty()) {
    for (absl::string_view code :
         absl::StrSplit(args.communes, ',', absl::SkipEmpty())) {
      source->mutable_communes()->add_commune_codes(std::string(code));
    }
  }
  if (args.national) source->set_national(true);
  return true;
}

void PrintTerritory(const v1::Territory& t, std::ostream& out) {
  out << "territory    " << t.id() << "\n"
      << "name         " << t.name() << "\n"
      << "kind         "
      << TerritoryKindName(static_cast<TerritoryKind>(t.kind())) << "\n"
      << "communes     " << t.commune_codes_size();
  const int shown = std::min(t.commune_codes_size(), 12);
  if (shown > 0) {
    out << ": "
        << absl::StrJoin(t.commune_codes().begin(),
                         t.commune_codes().begin() + shown, " ")
        << (shown < t.commune_codes_size() ? " ..." : "");
  }
  out << "\n";
}

}  // namespace

int Cli::TerritoryCreate(const TerritoryArgs& args) {
  v1::CreateTerritoryRequest request;
  request.set_request_id(RequestId());
  request.set_territory_id(args.id);
  request.set_name(args.name);
  std::string error;
  if (!SourceOf(args, request.mutable_source(), &error)) {
    err_ << "territory create: " << error << "\n";
    return 2;
  }
  const std::string kind =
      args.kind.empty() ? (args.national ? "national" : "cpts") : args.kind;
  const std::optional<TerritoryKind> parsed = ParseTerritoryKind(kind);
  if (!parsed) {
    err_ << "territory create: --kind is cpts, sas-area, national or other\n";
    return 2;
  }
  request.set_kind(static_cast<v1::TerritoryKind>(*parsed));
  return Call<v1::CreateTerritoryResponse>(
      [&](grpc::ClientContext* context, v1::CreateTerritoryResponse* response) {
        return territories_->CreateTerritory(context, request, response);
      },
      [&](const v1::CreateTerritoryResponse& response) {
        PrintTerritory(response.territory(), out_);
      });
}

int Cli::TerritoryUpdate(const TerritoryArgs& args) {
  v1::UpdateTerritoryRequest request;
  request.set_request_id(RequestId());
  request.set_territory_id(args.id);
  request.set_name(args.name);
  std::string error;
  v1::TerritorySource source;
  if (!SourceOf(args, &source, &error)) {
    err_ << "territory update: " << error << "\n";
    return 2;
  }
  if (source.source_case() != v1::TerritorySource::SOURCE_NOT_SET) {
    *request.mutable_source() = source;
  }
  if (!args.kind.empty()) {
    const std::optional<TerritoryKind> parsed = ParseTerritoryKind(args.kind);
    if (!parsed) {
      err_ << "territory update: --kind is cpts, sas-area, national or other\n";
      return 2;
    }
    request.set_kind(static_cast<v1::TerritoryKind>(*parsed));
  }
  return Call<v1::UpdateTerritoryResponse>(
      [&](grpc::ClientContext* context, v1::UpdateTerritoryResponse* response) {
        return territories_->UpdateTerritory(context, request, response);
      },
      [&](const v1::UpdateTerritoryResponse& response) {
        PrintTerritory(response.territory(), out_);
      });
}

int Cli::TerritoryGet(const std::string& id) {
  v1::GetTerritoryRequest request;
  request.set_territory_id(id);
  return Call<v1::GetTerritoryResponse>(
      [&](grpc::ClientContext* context, v1::GetTerritoryResponse* response) {
        return territories_->GetTerritory(context, request, response);
      },
      [&](const v1::GetTerritoryResponse& response) {
        PrintTerritory(response.territory(), out_);
        out_ << "all communes "
             << absl::StrJoin(response.territory().commune_codes(), " ")
             << "\n";
      });
}

int Cli::TerritoryList() {
  v1::ListTerritoriesRequest request;
  request.set_page_size(1000);
  Table table({"territory", "name", "kind", "communes"});
  // Pages until the end, bounded like every loop.
  for (int page = 0; page < 100; ++page) {
    v1::ListTerritoriesResponse response;
    const grpc::Status status =
        territories_->ListTerritories(Context().get(), request, &response);
    if (!status.ok()) return Report(status);
    if (options_.json) PrintJson(response);
    for (const v1::Territory& t : response.territories()) {
      table.AddRow(
          {t.id(), t.name(),
           std::string(TerritoryKindName(static_cast<TerritoryKind>(t.kind()))),
           absl::StrCat(t.commune_codes_size())});
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (!options_.json)
    out_ << table.Render() << table.size() << " territories\n";
  return 0;
}

int Cli::Transfer(const std::vector<std::string>& professional_ids,
                  const std::string& organisation) {
  v1::TransferProfessionalsRequest request;
  request.set_request_id(RequestId());
  for (const std::string& id : professional_ids) {
    request.add_professional_ids(id);
  }
  request.set_organisation(organisation);
  return Call<v1::TransferProfessionalsResponse>(
      [&](grpc::ClientContext* context,
          v1::TransferProfessionalsResponse* response) {
        return admin_->TransferProfessionals(context, request, response);
      },
      [&](const v1::TransferProfessionalsResponse& response) {
        out_ << response.transferred_count() << " transferred to "
             << organisation << ", " << response.unchanged_count()
             << " already there\n";
      });
}

int Cli::Audit(const AuditArgs& args) {
  v1::ListAuditRequest request;
  request.set_booking_id(args.booking);
  request.set_slot_id(args.slot);
  request.set_professional_id(args.professional);
  request.set_principal(args.principal);
  if (!args.since.empty()) {
    absl::Time since;
    std::string error;
    if (const auto back = ParseHumanDuration(args.since)) {
      since = absl::Now() - *back;
    } else if (!absl::ParseTime(absl::RFC3339_full, args.since, &since,
                                &error)) {
      err_ << "audit: --since is RFC 3339 or a duration back from now (2h)\n";
      return 2;
    }
    request.mutable_since()->set_seconds(absl::ToUnixSeconds(since));
  }
  request.set_page_size(std::min(std::max(args.limit, 1), 1000));
  Table table({"#", "time", "action", "principal", "organisation", "subjects",
               "detail"});
  int printed = 0;
  // Pages until the end or the limit, bounded like every loop.
  for (int page = 0; page < 10000 && printed < args.limit; ++page) {
    v1::ListAuditResponse response;
    const grpc::Status status =
        admin_->ListAudit(Context().get(), request, &response);
    if (!status.ok()) return Report(status);
    if (options_.json) PrintJson(response);
    for (const v1::AuditRecord& r : response.records()) {
      if (printed++ >= args.limit) break;
      std::vector<std::string> subjects;
      for (const v1::AuditSubject& s : r.subjects()) {
        subjects.push_back(s.id());
      }
      table.AddRow({absl::StrCat(r.sequence()),
                    internal::LocalTime(r.time(), options_.time_zone),
                    r.action(), r.principal(), r.organisation(),
                    absl::StrJoin(subjects, " "), r.detail()});
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (!options_.json) out_ << table.Render() << table.size() << " record(s)\n";
  return 0;
}

}  // namespace creneau::tools

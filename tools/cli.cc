#include "tools/cli.h"

#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/names.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/internal/cli_format.h"
#include "tools/slot_file.h"
#include "tools/table.h"

namespace creneau::tools {
namespace {

namespace v1 = ::creneau::v1;

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using internal::LocalTime;

}  // namespace

std::optional<absl::Duration> ParseHumanDuration(const std::string& text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  int days = 0;
  if (absl::ConsumeSuffix(&t, "d") && absl::SimpleAtoi(t, &days) && days >= 0) {
    return absl::Hours(24) * days;
  }
  absl::Duration d;
  if (absl::ParseDuration(std::string(absl::StripAsciiWhitespace(text)), &d))
    return d;
  return std::nullopt;
}

std::optional<int32_t> ParseDistanceMeters(const std::string& text) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  double scale = 1;
  absl::string_view number = t;
  if (absl::ConsumeSuffix(&number, "km")) {
    scale = 1000;
  } else {
    absl::ConsumeSuffix(&number, "m");
  }
  double value;
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(number), &value) ||
      value < 0 || value * scale > 1e9) {
    return std::nullopt;
  }
  return static_cast<int32_t>(value * scale);
}

Cli::Cli(CliOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err) {
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!options_.tls_ca.empty() || !options_.tls_cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    bool ok = true;
    const auto read = [&](const std::string& path, const char* flag) {
      if (path.empty()) return std::string();
      bool read_ok = false;
      std::string text = ReadFile(path, &read_ok);
      if (!read_ok && ok) {
        setup_error_ = absl::StrCat(flag, ": cannot read ", path);
        ok = false;
      }
      return text;
    };
    ssl.pem_root_certs = read(options_.tls_ca, "--tls_ca");
    ssl.pem_cert_chain = read(options_.tls_cert, "--tls_cert");
    ssl.pem_private_key = read(options_.tls_key, "--tls_key");
    credentials = grpc::SslCredentials(ssl);
  }
  channel_ = grpc::CreateChannel(options_.server, credentials);
  slots_ = v1::SlotService::NewStub(channel_);
  orientation_ = v1::OrientationService::NewStub(channel_);
  territories_ = v1::TerritoryService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
  changes_ = v1::ChangeService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Cli::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.timeout));
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options_.token);
  }
  return context;
}

std::string Cli::RequestId() const {
  if (!options_.request_id.empty()) return options_.request_id;
  std::random_device entropy;
  uint32_t r[4] = {entropy(), entropy(), entropy(), entropy()};
  r[1] = (r[1] & 0xFFFF0FFF) | 0x00004000;  // Version 4.
  r[2] = (r[2] & 0x3FFFFFFF) | 0x80000000;  // RFC 4122 variant.
  return absl::StrFormat("%08x-%04x-%04x-%04x-%04x%08x", r[0], r[1] >> 16,
                         r[1] & 0xFFFF, r[2] >> 16, r[2] & 0xFFFF, r[3]);
}

int Cli::Report(const grpc::Status& status) const {
  if (status.ok()) return 0;
  if (!setup_error_.empty()) {
    err_ << "error: " << setup_error_ << "\n";
    return 2;
  }
  const bool unreachable =
      status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      status.error_message().find("failed to connect") != std::string::npos;
  err_ << "error: "
       << absl::StatusCodeToString(
              static_cast<absl::StatusCode>(status.error_code()))
       << ": " << status.error_message() << "\n";
  if (unreachable)
    err_ << "is creneaud running at " << options_.server << "? (--server)\n";
  return unreachable ? 2 : 1;
}

void Cli::PrintJson(const google::protobuf::Message& message) const {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out_ << json;
}

int Cli::SearchRequestOf(const SearchArgs& args, absl::string_view command,
                         v1::SearchSlotsRequest* out) const {
  v1::SearchSlotsRequest& request = *out;
  if (!args.commune.empty()) {
    request.set_commune_code(args.commune);
  } else if (args.lat && args.lng) {
    request.mutable_point()->set_latitude(*args.lat);
    request.mutable_point()->set_longitude(*args.lng);
  } else {
    err_ << command << ": give --commune INSEE or --lat and --lng\n";
    return 2;
  }
  // "gp,pharmacist": the first is the profession, the others are searched
  // beside it.
  bool first = true;
  for (absl::string_view name : absl::StrSplit(args.profession, ',')) {
    auto profession = ParseProfession(name);
    if (!profession) {
      err_ << command << ": unknown --profession '" << name
           << "' (gp, nurse, physiotherapist, midwife, dentist, pharmacist, "
              "SM54, ...; several separated by commas)\n";
      return 2;
    }
    if (first) {
      request.set_profession(static_cast<v1::Profession>(*profession));
    } else {
      request.add_other_professions(static_cast<v1::Profession>(*profession));
    }
    first = false;
  }
  for (const std::string& m : args.modalities) {
    auto modality = ParseModality(m);
    if (!modality) {
      err_ << command << ": unknown --modality '" << m << "'\n";
      return 2;
    }
    request.add_modalities(static_cast<v1::Modality>(*modality));
  }
  absl::Time from = absl::Now();
  if (!args.from.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, args.from, &from, &error)) {
      err_ << command
           << ": --from must be RFC 3339 (2026-11-24T08:00:00+01:00)\n";
      return 2;
    }
    request.mutable_window_start()->set_seconds(absl::ToUnixSeconds(from));
  }
  auto within = ParseHumanDuration(args.within);
  if (!within || *within <= absl::ZeroDuration()) {
    err_ << command << ": --within must be a duration such as 48h or 3d\n";
    return 2;
  }
  request.mutable_window_end()->set_seconds(
      absl::ToUnixSeconds(from + *within));
  if (!args.radius.empty()) {
    auto radius = ParseDistanceMeters(args.radius);
    if (!radius) {
      err_ << command << ": --radius must be a distance such as 10km or 500m\n";
      return 2;
    }
    request.set_radius_m(*radius);
  }
  request.set_limit(args.limit);
  if (args.order == "soonest")
    request.set_order(v1::SEARCH_ORDER_SOONEST);
  else if (args.order == "nearest")
    request.set_order(v1::SEARCH_ORDER_NEAREST);
  else if (args.order == "balanced")
    request.set_order(v1::SEARCH_ORDER_BALANCED);
  else {
    err_ << command << ": --order is soonest, nearest or balanced\n";
    return 2;
  }
  request.set_preferred_professional_id(args.preferred);
  return 0;
}

void Cli::PrintMatches(const v1::SearchSlotsResponse& response) const {
  Table table({"#", "start", "distance", "professional", "modality", "places",
               "slot", "why"});
  int rank = 0;
  for (const v1::SlotMatch& m : response.matches()) {
    const v1::Slot& s = m.slot();
    table.AddRow(
        {absl::StrCat(++rank),
         internal::SlotTime(s.start_time(), m.professional().time_zone(),
                            options_.time_zone),
         m.distance_m() < 1000
             ? absl::StrFormat("%.0f m", m.distance_m())
             : absl::StrFormat("%.1f km", m.distance_m() / 1000),
         m.professional().display_name(), internal::ModalityText(s.modality()),
         absl::StrCat(s.capacity() - s.places_booked() - s.places_held(), "/",
                      s.capacity()),
         s.id(), m.reason_text()});
  }
  if (table.size() > 0) out_ << table.Render();
  out_ << response.explanation() << "\n";
}

int Cli::Search(const SearchArgs& args) {
  v1::SearchSlotsRequest request;
  if (int code = SearchRequestOf(args, "search", &request); code != 0) {
    return code;
  }
  return Call<v1::SearchSlotsResponse>(
      [&](grpc::ClientContext* context, v1::SearchSlotsResponse* response) {
        return orientation_->SearchSlots(context, request, response);
      },
      [&](const v1::SearchSlotsResponse& response) { PrintMatches(response); });
}

bool Cli::TtlOf(const std::string& value, absl::string_view command,
                google::protobuf::Duration* ttl) const {
  auto d = ParseHumanDuration(value);
  if (!d) {
    err_ << command << ": --ttl must be a duration such as 3m\n";
    return false;
  }
  ttl->set_seconds(absl::ToInt64Seconds(*d));
  return true;
}

void Cli::PrintHeld(const v1::Hold& h) const {
  out_ << "held " << h.slot_id()
       << (h.overbooking_place() ? " (overbooking place)" : "") << " until "
       << LocalTime(h.expire_time(), options_.time_zone) << "\n"
       << "token " << h.token() << "\n"
       << "next: creneau confirm " << h.slot_id() << " " << h.token()
       << " --patient <pseudonymous-ref>\n";
}

int Cli::Hold(const std::string& slot_id, const std::string& ttl,
              bool overbooking_place) {
  v1::HoldSlotRequest request;
  request.set_request_id(RequestId());
  request.set_slot_id(slot_id);
  request.set_overbooking_place(overbooking_place);
  if (!ttl.empty() && !TtlOf(ttl, "hold", request.mutable_ttl())) return 2;
  return Call<v1::HoldSlotResponse>(
      [&](grpc::ClientContext* context, v1::HoldSlotResponse* response) {
        return orientation_->HoldSlot(context, request, response);
      },
      [&](const v1::HoldSlotResponse& response) {
        PrintHeld(response.hold());
      });
}

}  // namespace creneau::tools
